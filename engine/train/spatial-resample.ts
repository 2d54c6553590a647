import type { Vec3i } from './sampler.ts';
import { cropPatch } from './sampler.ts';
import type { BatchArrays, TrainingCase } from './training-case.ts';

/**
 * One resampling pass from the case to a patch, for any combination of mirroring, rotation and
 * scaling. Offsets are in voxels, [d, h, w], measured from centres: output voxel o of a patch of size P
 * reads case position  start + c + M (o - c),  with c = (P - 1) / 2 and M the 3x3 matrix (row-major).
 * The identity reads exactly the patch `cropPatch` copies. Images are interpolated trilinearly, labels
 * by nearest neighbour; positions outside the case read image 0 and label `labelPad` (each of the
 * eight trilinear neighbours outside counts as 0, as scipy's map_coordinates with mode 'constant').
 */
export type Matrix3 = [number, number, number, number, number, number, number, number, number];

export const IDENTITY3: Matrix3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

export function multiply3(a: Matrix3, b: Matrix3): Matrix3 {
  const out = new Array<number>(9);
  for (let row = 0; row < 3; row += 1) {
    for (let column = 0; column < 3; column += 1) {
      out[row * 3 + column] = a[row * 3]! * b[column]! + a[row * 3 + 1]! * b[3 + column]! + a[row * 3 + 2]! * b[6 + column]!;
    }
  }
  return out as Matrix3;
}

/** Rotation by `angle` radians about one axis (0 = D, 1 = H, 2 = W): it turns the plane of the other two. */
export function rotation3(axis: 0 | 1 | 2, angle: number): Matrix3 {
  const [first, second] = axis === 0 ? [1, 2] : axis === 1 ? [0, 2] : [0, 1];
  const matrix = [...IDENTITY3] as Matrix3;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  matrix[first * 3 + first] = cos;
  matrix[first * 3 + second] = -sin;
  matrix[second * 3 + first] = sin;
  matrix[second * 3 + second] = cos;
  return matrix;
}

export const isIdentity3 = (matrix: Matrix3): boolean => matrix.every((value, index) => value === IDENTITY3[index]);

/** A signed permutation (mirroring, exact right-angle turns): every position is a voxel centre, so images are copied, not interpolated. */
function isGridAligned(matrix: Matrix3): boolean {
  for (let row = 0; row < 3; row += 1) {
    let nonZero = 0;
    for (let column = 0; column < 3; column += 1) {
      const value = matrix[row * 3 + column]!;
      if (value === 1 || value === -1) nonZero += 1;
      else if (value !== 0) return false;
    }
    if (nonZero !== 1) return false;
  }
  return true;
}

export function resamplePatch(trainingCase: TrainingCase, start: Vec3i, matrix: Matrix3, target: BatchArrays, sample: number, labelPad: number): void {
  const mirrorOnly = [1, 2, 3, 5, 6, 7].every((index) => matrix[index] === 0) && [0, 4, 8].every((index) => Math.abs(matrix[index]!) === 1);
  if (mirrorOnly) {
    cropPatch(trainingCase, start, target, sample, labelPad);
    mirrorSample(target, sample, [matrix[0] === -1, matrix[4] === -1, matrix[8] === -1]);
    return;
  }
  const [, pd, ph, pw, channels] = target.shape;
  const [vd, vh, vw] = trainingCase.dims;
  const plane = vh * vw;
  const volume = vd * plane;
  const { image, label } = trainingCase;
  const interpolate = !isGridAligned(matrix);
  const centre = [(pd - 1) / 2, (ph - 1) / 2, (pw - 1) / 2];
  const origin = [0, 1, 2].map((axis) => start[axis]! + centre[axis]!);
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = matrix;
  let out = sample * pd * ph * pw;
  for (let d = 0; d < pd; d += 1) {
    const od = d - centre[0]!;
    for (let h = 0; h < ph; h += 1) {
      const oh = h - centre[1]!;
      // Position of w = centre[2] on this row; each w step adds the matrix's third column.
      const rowD = origin[0]! + m0 * od + m1 * oh;
      const rowH = origin[1]! + m3 * od + m4 * oh;
      const rowW = origin[2]! + m6 * od + m7 * oh;
      for (let w = 0; w < pw; w += 1, out += 1) {
        const ow = w - centre[2]!;
        const z = rowD + m2 * ow;
        const y = rowH + m5 * ow;
        const x = rowW + m8 * ow;
        const nz = Math.floor(z + 0.5);
        const ny = Math.floor(y + 0.5);
        const nx = Math.floor(x + 0.5);
        const inside = nz >= 0 && nz < vd && ny >= 0 && ny < vh && nx >= 0 && nx < vw;
        const nearest = nz * plane + ny * vw + nx;
        target.label[out] = inside ? label[nearest]! : labelPad;
        if (!interpolate) {
          for (let c = 0; c < channels; c += 1) target.image[out * channels + c] = inside ? image[c * volume + nearest]! : 0;
          continue;
        }
        trilinear(image, channels, volume, vd, vh, vw, z, y, x, target.image, out * channels);
      }
    }
  }
}

/** Reverses sample `sample` of a batch in place along the axes [d, h, w] marked true. */
function mirrorSample(target: BatchArrays, sample: number, axes: [boolean, boolean, boolean]): void {
  const [, pd, ph, pw, channels] = target.shape;
  const voxels = pd * ph * pw;
  const image = target.image.subarray(sample * voxels * channels, (sample + 1) * voxels * channels);
  const label = target.label.subarray(sample * voxels, (sample + 1) * voxels);
  const swap = (a: number, b: number) => {
    const labelValue = label[a]!;
    label[a] = label[b]!;
    label[b] = labelValue;
    for (let c = 0; c < channels; c += 1) {
      const imageValue = image[a * channels + c]!;
      image[a * channels + c] = image[b * channels + c]!;
      image[b * channels + c] = imageValue;
    }
  };
  const [flipD, flipH, flipW] = axes;
  for (let d = 0; d < pd; d += 1) {
    for (let h = 0; h < ph; h += 1) {
      for (let w = 0; w < pw; w += 1) {
        const md = flipD ? pd - 1 - d : d;
        const mh = flipH ? ph - 1 - h : h;
        const mw = flipW ? pw - 1 - w : w;
        const a = (d * ph + h) * pw + w;
        const b = (md * ph + mh) * pw + mw;
        if (a < b) swap(a, b);
      }
    }
  }
}

/** Writes the trilinear value of every channel at (z, y, x) to `into[at + c]`. */
function trilinear(image: Float32Array, channels: number, volume: number, vd: number, vh: number, vw: number, z: number, y: number, x: number, into: Float32Array, at: number): void {
  const z0 = Math.floor(z);
  const y0 = Math.floor(y);
  const x0 = Math.floor(x);
  const fz = z - z0;
  const fy = y - y0;
  const fx = x - x0;
  const plane = vh * vw;
  if (z0 >= 0 && z0 + 1 < vd && y0 >= 0 && y0 + 1 < vh && x0 >= 0 && x0 + 1 < vw) {
    const base = z0 * plane + y0 * vw + x0;
    for (let c = 0; c < channels; c += 1) {
      const i = base + c * volume;
      const c00 = image[i]! + fx * (image[i + 1]! - image[i]!);
      const c01 = image[i + vw]! + fx * (image[i + vw + 1]! - image[i + vw]!);
      const c10 = image[i + plane]! + fx * (image[i + plane + 1]! - image[i + plane]!);
      const c11 = image[i + plane + vw]! + fx * (image[i + plane + vw + 1]! - image[i + plane + vw]!);
      const c0 = c00 + fy * (c01 - c00);
      into[at + c] = c0 + fz * (c10 + fy * (c11 - c10) - c0);
    }
    return;
  }
  if (z0 < -1 || z0 >= vd || y0 < -1 || y0 >= vh || x0 < -1 || x0 >= vw) {
    for (let c = 0; c < channels; c += 1) into[at + c] = 0;
    return;
  }
  for (let c = 0; c < channels; c += 1) {
    let sum = 0;
    for (let corner = 0; corner < 8; corner += 1) {
      const cz = z0 + (corner >> 2);
      const cy = y0 + ((corner >> 1) & 1);
      const cx = x0 + (corner & 1);
      if (cz < 0 || cz >= vd || cy < 0 || cy >= vh || cx < 0 || cx >= vw) continue;
      const weight = (corner >> 2 ? fz : 1 - fz) * ((corner >> 1) & 1 ? fy : 1 - fy) * (corner & 1 ? fx : 1 - fx);
      sum += weight * image[c * volume + cz * plane + cy * vw + cx]!;
    }
    into[at + c] = sum;
  }
}
