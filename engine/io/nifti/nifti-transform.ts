import type { Matrix4 } from '../volume.ts';

/** The transform fields of a NIfTI header (1 or 2), as stored. */
export interface NiftiTransformFields {
  qformCode: number;
  sformCode: number;
  /** pixdim[0..3]: qfac, then the voxel sizes. */
  pixdim: [number, number, number, number];
  quatern: [number, number, number];
  qoffset: [number, number, number];
  /** srow_x, srow_y, srow_z. */
  srow: [number[], number[], number[]];
  /** dim[1..3]. */
  shape: [number, number, number];
}

export type TransformSource = 'sform' | 'qform' | 'pixdim';

/**
 * The voxel-to-world RAS+ affine a NIfTI header means, chosen as nibabel does (and as the NIfTI
 * standard allows): the sform when sform_code > 0, else the qform when qform_code > 0, else the
 * Analyze-style fallback (pixdim scaling, x flipped, centred), so that our numbers match nibabel's.
 */
export function niftiAffine(fields: NiftiTransformFields): { affine: Matrix4; source: TransformSource } {
  if (fields.sformCode > 0) {
    const rows = fields.srow.map((row) => [row[0]!, row[1]!, row[2]!, row[3]!] as Matrix4[number]);
    return { affine: [...rows, [0, 0, 0, 1]], source: 'sform' };
  }
  if (fields.qformCode > 0) return { affine: qformAffine(fields), source: 'qform' };
  const zooms = [-Math.abs(fields.pixdim[1] || 1), Math.abs(fields.pixdim[2] || 1), Math.abs(fields.pixdim[3] || 1)];
  const affine: Matrix4 = [0, 1, 2].map((row) => {
    const line: Matrix4[number] = [0, 0, 0, 0];
    line[row] = zooms[row]!;
    line[3] = -((fields.shape[row]! - 1) / 2) * zooms[row]!;
    return line;
  });
  return { affine: [...affine, [0, 0, 0, 1]], source: 'pixdim' };
}

/** The qform (NIfTI method 2): rotation from the quaternion, scaled by pixdim, qfac on k. */
export function qformAffine(fields: Pick<NiftiTransformFields, 'pixdim' | 'quatern' | 'qoffset'>): Matrix4 {
  const [b, c, d] = fields.quatern;
  // a is implied; rounding in stored floats can push b²+c²+d² just above 1.
  const a = Math.sqrt(Math.max(0, 1 - (b * b + c * c + d * d)));
  const rotation = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
  ];
  const qfac = fields.pixdim[0] < 0 ? -1 : 1;
  const zooms = [Math.abs(fields.pixdim[1]), Math.abs(fields.pixdim[2]), Math.abs(fields.pixdim[3]) * qfac];
  const rows = rotation.map((line, row) => [line[0]! * zooms[0]!, line[1]! * zooms[1]!, line[2]! * zooms[2]!, fields.qoffset[row]!] as Matrix4[number]);
  return [...rows, [0, 0, 0, 1]];
}

/**
 * The quaternion form of an affine (for writing the qform), following the NIfTI reference
 * algorithm: orthonormalise the columns, use qfac = -1 for a left-handed grid, then convert the
 * proper rotation to a quaternion with a >= 0.
 */
export function affineToQform(affine: Matrix4): Pick<NiftiTransformFields, 'pixdim' | 'quatern' | 'qoffset'> {
  const column = (index: number) => [affine[0]![index]!, affine[1]![index]!, affine[2]![index]!];
  const lengths = [0, 1, 2].map((index) => Math.hypot(...column(index)) || 1);
  const r = [0, 1, 2].map((index) => column(index).map((value) => value / lengths[index]!));
  const det =
    r[0]![0]! * (r[1]![1]! * r[2]![2]! - r[2]![1]! * r[1]![2]!) -
    r[1]![0]! * (r[0]![1]! * r[2]![2]! - r[2]![1]! * r[0]![2]!) +
    r[2]![0]! * (r[0]![1]! * r[1]![2]! - r[1]![1]! * r[0]![2]!);
  const qfac = det < 0 ? -1 : 1;
  if (qfac < 0) r[2] = r[2]!.map((value) => -value);
  // r[c][row]: column c of the rotation; m(row, col) = r[col][row].
  const m = (row: number, col: number) => r[col]![row]!;
  let a = 1 + m(0, 0) + m(1, 1) + m(2, 2);
  let b: number;
  let c: number;
  let d: number;
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    b = (0.25 * (m(2, 1) - m(1, 2))) / a;
    c = (0.25 * (m(0, 2) - m(2, 0))) / a;
    d = (0.25 * (m(1, 0) - m(0, 1))) / a;
  } else {
    const xd = 1 + m(0, 0) - (m(1, 1) + m(2, 2));
    const yd = 1 + m(1, 1) - (m(0, 0) + m(2, 2));
    const zd = 1 + m(2, 2) - (m(0, 0) + m(1, 1));
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd);
      c = (0.25 * (m(0, 1) + m(1, 0))) / b;
      d = (0.25 * (m(0, 2) + m(2, 0))) / b;
      a = (0.25 * (m(2, 1) - m(1, 2))) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd);
      b = (0.25 * (m(0, 1) + m(1, 0))) / c;
      d = (0.25 * (m(1, 2) + m(2, 1))) / c;
      a = (0.25 * (m(0, 2) - m(2, 0))) / c;
    } else {
      d = 0.5 * Math.sqrt(zd);
      b = (0.25 * (m(0, 2) + m(2, 0))) / d;
      c = (0.25 * (m(1, 2) + m(2, 1))) / d;
      a = (0.25 * (m(1, 0) - m(0, 1))) / d;
    }
    if (a < 0) {
      b = -b;
      c = -c;
      d = -d;
    }
  }
  return {
    pixdim: [qfac, lengths[0]!, lengths[1]!, lengths[2]!],
    quatern: [b, c, d],
    qoffset: [affine[0]![3]!, affine[1]![3]!, affine[2]![3]!],
  };
}
