import type { DataSet } from 'dicom-parser';
import type { Vec3 } from '../volume.ts';

/** DICOM tags used for geometry, as dicom-parser spells them. */
export const TAG = {
  imagePositionPatient: 'x00200032',
  imageOrientationPatient: 'x00200037',
  pixelSpacing: 'x00280030',
  imagerPixelSpacing: 'x00181164',
  sliceThickness: 'x00180050',
  spacingBetweenSlices: 'x00180088',
  rescaleSlope: 'x00281053',
  rescaleIntercept: 'x00281052',
  seriesInstanceUid: 'x0020000e',
  seriesDescription: 'x0008103e',
  seriesNumber: 'x00200011',
  instanceNumber: 'x00200013',
  sopClassUid: 'x00080016',
  sopInstanceUid: 'x00080018',
  imageType: 'x00080008',
  modality: 'x00080060',
  pixelData: 'x7fe00010',
  sharedFunctionalGroups: 'x52009229',
  perFrameFunctionalGroups: 'x52009230',
  planePositionSequence: 'x00209113',
  planeOrientationSequence: 'x00209116',
  pixelMeasuresSequence: 'x00289110',
  pixelValueTransformationSequence: 'x00289145',
} as const;

/** Multi-valued decimal string as numbers; null when absent or not all numbers. */
export function decimals(dataSet: DataSet | undefined, tag: string, count: number): number[] | null {
  if (!dataSet?.elements[tag]) return null;
  const values: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const value = dataSet.floatString(tag, index);
    if (value === undefined || !Number.isFinite(value)) return null;
    values.push(value);
  }
  return values;
}

const firstItem = (dataSet: DataSet | undefined, tag: string): DataSet | undefined => dataSet?.elements[tag]?.items?.[0]?.dataSet;

/** Geometry and rescale facts of one image plane (a single-frame file, or one frame of an enhanced file). */
export interface PlaneGeometry {
  position: Vec3 | null;
  /** Unit row direction (increasing column index i) then column direction (increasing row index j). */
  orientation: [Vec3, Vec3] | null;
  /** [spacing along i (between columns), spacing along j (between rows)]. */
  pixelSpacing: [number, number] | null;
  sliceThickness: number | null;
  spacingBetweenSlices: number | null;
  rescaleSlope: number;
  rescaleIntercept: number;
}

function planeFrom(sources: (DataSet | undefined)[]): PlaneGeometry {
  const pick = <T>(read: (dataSet: DataSet) => T | null): T | null => {
    for (const source of sources) {
      if (!source) continue;
      const value = read(source);
      if (value !== null) return value;
    }
    return null;
  };
  const position = pick((d) => decimals(d, TAG.imagePositionPatient, 3)) as Vec3 | null;
  const iop = pick((d) => decimals(d, TAG.imageOrientationPatient, 6));
  const spacing = pick((d) => decimals(d, TAG.pixelSpacing, 2) ?? decimals(d, TAG.imagerPixelSpacing, 2));
  const thickness = pick((d) => decimals(d, TAG.sliceThickness, 1))?.[0] ?? null;
  const between = pick((d) => decimals(d, TAG.spacingBetweenSlices, 1))?.[0] ?? null;
  const slope = pick((d) => decimals(d, TAG.rescaleSlope, 1))?.[0];
  const intercept = pick((d) => decimals(d, TAG.rescaleIntercept, 1))?.[0];
  return {
    position,
    orientation: iop ? [normalize([iop[0]!, iop[1]!, iop[2]!]), normalize([iop[3]!, iop[4]!, iop[5]!])] : null,
    // DICOM PixelSpacing is [between rows, between columns]: swap into (i, j) order.
    pixelSpacing: spacing && spacing[0]! > 0 && spacing[1]! > 0 ? [spacing[1]!, spacing[0]!] : null,
    sliceThickness: thickness !== null && thickness > 0 ? thickness : null,
    spacingBetweenSlices: between !== null && between > 0 ? between : null,
    rescaleSlope: slope !== undefined && slope !== 0 ? slope : 1,
    rescaleIntercept: intercept ?? 0,
  };
}

/** The plane of a classic single-frame image. */
export function imagePlane(dataSet: DataSet): PlaneGeometry {
  return planeFrom([dataSet]);
}

/**
 * The plane of frame `frame` of an enhanced multi-frame image: the per-frame functional group wins,
 * then the shared one, then the top level (legacy files). Returns the top-level plane when the file
 * has no functional groups.
 */
export function framePlane(dataSet: DataSet, frame: number): PlaneGeometry {
  const perFrame = dataSet.elements[TAG.perFrameFunctionalGroups]?.items?.[frame]?.dataSet;
  const shared = firstItem(dataSet, TAG.sharedFunctionalGroups);
  const groups = [perFrame, shared];
  const sources: (DataSet | undefined)[] = [];
  for (const group of groups) {
    sources.push(firstItem(group, TAG.planePositionSequence), firstItem(group, TAG.planeOrientationSequence));
    sources.push(firstItem(group, TAG.pixelMeasuresSequence), firstItem(group, TAG.pixelValueTransformationSequence));
  }
  sources.push(dataSet);
  return planeFrom(sources);
}

export function normalize(vector: Vec3): Vec3 {
  const length = Math.hypot(...vector) || 1;
  return [vector[0] / length, vector[1] / length, vector[2] / length];
}

export const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
export const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const subtract = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const scale = (a: Vec3, factor: number): Vec3 => [a[0] * factor, a[1] * factor, a[2] * factor];

export function sameOrientation(a: [Vec3, Vec3] | null, b: [Vec3, Vec3] | null, tolerance = 1e-4): boolean {
  if (a === null || b === null) return a === b;
  return [0, 1].every((axis) => [0, 1, 2].every((component) => Math.abs(a[axis]![component]! - b[axis]![component]!) <= tolerance));
}
