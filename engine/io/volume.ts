/**
 * The one volume type of the engine.
 *
 * Conventions (the same for NIfTI and DICOM sources):
 * - Voxel index order is (i, j, k): i varies fastest in `data`. For NIfTI that is the file's order;
 *   for DICOM, i = column, j = row, k = slice (sorted along the slice normal).
 * - `dims`, `spacing` are in (i, j, k) order; spacing in millimetres.
 * - World coordinates are **LPS+** millimetres (DICOM, ITK and Cornerstone3D convention): x grows to
 *   the patient's Left, y to Posterior, z to Superior. `direction` holds the unit world vectors of the
 *   i, j and k axes (columns of the 3x3 direction matrix); `origin` is the world position of voxel
 *   (0, 0, 0)'s centre. NIfTI's RAS+ affine is converted on read and written back on write
 *   (`affineRas` / `fromAffineRas`).
 * - `data` holds `channels` volumes one after the other (channel slowest), each dims[0]*dims[1]*dims[2]
 *   values, already scaled (NIfTI scl_slope/scl_inter, DICOM RescaleSlope/Intercept).
 */
export type VoxelArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** On-disk voxel types we read. */
export type SourceDtype = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64' | 'rgb24';

export type Vec3 = [number, number, number];
/** Three unit vectors (the i, j, k axes in world LPS), row-major as [[ix, iy, iz], [jx, jy, jz], [kx, ky, kz]]. */
export type Direction = [Vec3, Vec3, Vec3];
export type Matrix4 = [number, number, number, number][];

export interface Volume {
  data: VoxelArray;
  /** [i, j, k] voxel counts. */
  dims: Vec3;
  /** [i, j, k] voxel size in mm. */
  spacing: Vec3;
  /** World LPS position (mm) of voxel (0, 0, 0). */
  origin: Vec3;
  /** World LPS unit vector of each voxel axis: direction[0] is the i axis. */
  direction: Direction;
  /** Number of channels (NIfTI 4th/5th dimension, DICOM samples per pixel); 1 for a plain 3D image. */
  channels: number;
  /** Voxel type on disk, before scaling. */
  sourceDtype: SourceDtype;
}

export const voxelCount = (dims: Vec3): number => dims[0] * dims[1] * dims[2];

/** Voxel-to-world 4x4 matrix in LPS+ mm. */
export function affineLps(volume: Pick<Volume, 'spacing' | 'origin' | 'direction'>): Matrix4 {
  const { spacing, origin, direction } = volume;
  return [0, 1, 2]
    .map((row) => [direction[0][row]! * spacing[0], direction[1][row]! * spacing[1], direction[2][row]! * spacing[2], origin[row]!] as [number, number, number, number])
    .concat([[0, 0, 0, 1]]);
}

/** Voxel-to-world 4x4 matrix in RAS+ mm (the NIfTI / nibabel convention): LPS with x and y negated. */
export function affineRas(volume: Pick<Volume, 'spacing' | 'origin' | 'direction'>): Matrix4 {
  return lpsToRasMatrix(affineLps(volume));
}

/** Flips a 4x4 world matrix between LPS and RAS (the same operation both ways). */
export function lpsToRasMatrix(matrix: Matrix4): Matrix4 {
  return matrix.map((row, index) => (index < 2 ? (row.map((value) => (value === 0 ? 0 : -value)) as Matrix4[number]) : ([...row] as Matrix4[number])));
}
export const rasToLpsMatrix = lpsToRasMatrix;

/** A world point between LPS and RAS (negate x and y; its own inverse). */
export function lpsToRasPoint(point: Vec3): Vec3 {
  return [-point[0] || 0, -point[1] || 0, point[2]];
}
export const rasToLpsPoint = lpsToRasPoint;

/**
 * Geometry from a voxel-to-world RAS+ affine (e.g. a NIfTI sform). Spacing is the length of each
 * column; a zero column (degenerate header) gets spacing 1 and a unit axis so the volume stays usable.
 */
export function geometryFromAffineRas(affine: Matrix4): Pick<Volume, 'spacing' | 'origin' | 'direction'> {
  const lps = rasToLpsMatrix(affine);
  const spacing = [0, 1, 2].map((column) => Math.hypot(lps[0]![column]!, lps[1]![column]!, lps[2]![column]!)) as Vec3;
  const direction = [0, 1, 2].map((column) => {
    const length = spacing[column]!;
    if (length === 0) return [0, 1, 2].map((row) => (row === column ? 1 : 0)) as Vec3;
    return [0, 1, 2].map((row) => lps[row]![column]! / length || 0) as Vec3;
  }) as Direction;
  return {
    spacing: spacing.map((value) => (value === 0 ? 1 : value)) as Vec3,
    origin: [lps[0]![3]!, lps[1]![3]!, lps[2]![3]!],
    direction,
  };
}

/** Minimum, maximum, mean and sum over all values (every channel); NaN values are skipped and counted. */
export function voxelStats(data: VoxelArray): { min: number; max: number; mean: number; sum: number; nonFinite: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let nonFinite = 0;
  for (let index = 0; index < data.length; index += 1) {
    const value = data[index]!;
    if (!Number.isFinite(value)) {
      nonFinite += 1;
      continue;
    }
    if (value < min) min = value;
    if (value > max) max = value;
    sum += value;
  }
  const counted = data.length - nonFinite;
  return { min, max, mean: counted > 0 ? sum / counted : NaN, sum, nonFinite };
}
