import { InputError } from '../input-error.ts';
import { geometryFromAffineRas, lpsToRasMatrix, type Matrix4, type SourceDtype, type Vec3, type Volume, type VoxelArray } from '../volume.ts';
import { cross, dot, normalize, sameOrientation, scale, subtract, type PlaneGeometry } from './dicom-geometry.ts';

/** One 2D image to stack: a single-frame file or one frame of a multi-frame file. */
export interface Plane {
  /** Where it comes from, for messages: a file path, or "file#frame". */
  label: string;
  geometry: PlaneGeometry;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  /** Stored values (before rescale), rows*columns*samples, samples interleaved per pixel. */
  stored: ArrayLike<number>;
  sourceDtype: SourceDtype;
}

/** Gaps between consecutive slice positions that differ by more than this (mm) count as uneven. */
export const UNEVEN_SPACING_TOLERANCE_MM = 0.01;

export interface StackResult {
  volume: Volume;
  /** Things the user should know that do not stop the read (uneven spacing, missing geometry). */
  warnings: string[];
}

/** Checks that planes can form one volume: same size, samples and orientation. */
function checkCompatible(planes: Plane[], source: string): void {
  const first = planes[0]!;
  for (const plane of planes) {
    if (plane.rows !== first.rows || plane.columns !== first.columns || plane.samplesPerPixel !== first.samplesPerPixel) {
      throw new InputError(source, `mixes image sizes: ${first.label} is ${first.columns}x${first.rows}, ${plane.label} is ${plane.columns}x${plane.rows}`, 'Put each series in its own folder, or choose one series with --series.');
    }
    if (!sameOrientation(plane.geometry.orientation, first.geometry.orientation)) {
      throw new InputError(source, `mixes slice orientations (${first.label} and ${plane.label} differ)`, 'This is not one 3D series (e.g. a localizer): choose the series you want with --series, or move the other images out.');
    }
  }
}

/** Sorts planes along the slice normal; returns them with their positions along it. */
function sortAlongNormal(planes: Plane[], normal: Vec3, source: string): { sorted: Plane[]; distances: number[] } {
  const withDistance = planes.map((plane) => ({ plane, distance: dot(plane.geometry.position!, normal) }));
  withDistance.sort((a, b) => a.distance - b.distance);
  for (let index = 1; index < withDistance.length; index += 1) {
    if (Math.abs(withDistance[index]!.distance - withDistance[index - 1]!.distance) < 1e-4) {
      throw new InputError(
        source,
        `has two images at the same slice position (${withDistance[index - 1]!.plane.label} and ${withDistance[index]!.plane.label})`,
        'The folder mixes acquisitions (echoes, time points or duplicates): keep one image per position, or split the series.',
      );
    }
  }
  return { sorted: withDistance.map((entry) => entry.plane), distances: withDistance.map((entry) => entry.distance) };
}

/** Smallest integer typed array that holds [min, max], or Float32Array for non-integers. */
function outputArray(length: number, min: number, max: number, integral: boolean): VoxelArray {
  if (!integral) return new Float32Array(length);
  if (min >= 0 && max <= 255) return new Uint8Array(length);
  if (min >= -32768 && max <= 32767) return new Int16Array(length);
  if (min >= 0 && max <= 65535) return new Uint16Array(length);
  if (min >= -2147483648 && max <= 2147483647) return new Int32Array(length);
  return new Float32Array(length);
}

/**
 * Stacks 2D planes into one volume: sorted along the slice normal, spacing from the positions (not
 * SliceThickness), values rescaled per plane (RescaleSlope/Intercept), channels planar.
 */
export function stackPlanes(planes: Plane[], source: string): StackResult {
  if (planes.length === 0) throw new InputError(source, 'holds no images with pixel data', 'Point VoxNAS at a folder or file that contains the image series.');
  checkCompatible(planes, source);
  const warnings: string[] = [];
  const first = planes[0]!;
  const geometryKnown = planes.every((plane) => plane.geometry.position !== null) && first.geometry.orientation !== null;
  const [rowDirection, columnDirection] = first.geometry.orientation ?? [[1, 0, 0] as Vec3, [0, 1, 0] as Vec3];
  const normal = normalize(cross(rowDirection, columnDirection));
  let sorted = planes;
  let step: Vec3;
  if (geometryKnown && planes.length > 1) {
    const result = sortAlongNormal(planes, normal, source);
    sorted = result.sorted;
    const gaps = result.distances.slice(1).map((distance, index) => distance - result.distances[index]!);
    if (Math.max(...gaps) - Math.min(...gaps) > UNEVEN_SPACING_TOLERANCE_MM) {
      warnings.push(
        `${source}: slices are unevenly spaced (gaps from ${Math.min(...gaps).toFixed(3)} to ${Math.max(...gaps).toFixed(3)} mm); the volume uses the mean spacing. Check for missing slices.`,
      );
    }
    step = scale(subtract(sorted[sorted.length - 1]!.geometry.position!, sorted[0]!.geometry.position!), 1 / (sorted.length - 1));
  } else {
    if (!geometryKnown) warnings.push(`${source}: no patient position/orientation; the volume is placed at the origin with identity orientation.`);
    const thickness = first.geometry.spacingBetweenSlices ?? first.geometry.sliceThickness ?? 1;
    step = scale(normal, thickness);
  }
  const [spacingI, spacingJ] = first.geometry.pixelSpacing ?? [1, 1];
  const origin = sorted[0]!.geometry.position ?? ([0, 0, 0] as Vec3);
  const lps: Matrix4 = [0, 1, 2]
    .map((row) => [rowDirection[row]! * spacingI, columnDirection[row]! * spacingJ, step[row]!, origin[row]!] as Matrix4[number])
    .concat([[0, 0, 0, 1]]);
  const geometry = geometryFromAffineRas(lpsToRasMatrix(lps));

  const pixels = first.rows * first.columns;
  const samples = first.samplesPerPixel;
  let min = Infinity;
  let max = -Infinity;
  let integral = true;
  for (const plane of sorted) {
    const { rescaleSlope: slope, rescaleIntercept: intercept } = plane.geometry;
    if (!Number.isInteger(slope) || !Number.isInteger(intercept)) integral = false;
    for (let index = 0; index < plane.stored.length; index += 1) {
      const value = plane.stored[index]! * slope + intercept;
      if (value < min) min = value;
      if (value > max) max = value;
    }
  }
  const slices = sorted.length;
  const data = outputArray(pixels * slices * samples, min, max, integral);
  sorted.forEach((plane, slice) => {
    const { rescaleSlope: slope, rescaleIntercept: intercept } = plane.geometry;
    for (let sample = 0; sample < samples; sample += 1) {
      const base = sample * pixels * slices + slice * pixels;
      for (let pixel = 0; pixel < pixels; pixel += 1) data[base + pixel] = plane.stored[pixel * samples + sample]! * slope + intercept;
    }
  });
  return {
    volume: { data, dims: [first.columns, first.rows, slices], channels: samples, sourceDtype: first.sourceDtype, ...geometry },
    warnings,
  };
}
