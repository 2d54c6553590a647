import { InputError } from '../input-error.ts';
import { voxelCount, type Vec3, type Volume } from '../volume.ts';
import { decimals, dot, framePlane, subtract, TAG } from './dicom-geometry.ts';
import type { ParsedDicom } from './parse.ts';
import { decodePixelData } from './pixel-data.ts';
import { stackPlanes } from './stack-planes.ts';

/** SOP classes of DICOM segmentations. */
export const SEG_SOP_CLASSES: Record<string, 'segmentation' | 'label-map'> = {
  '1.2.840.10008.5.1.4.1.1.66.4': 'segmentation',
  '1.2.840.10008.5.1.4.1.1.66.7': 'label-map',
};

const SEG_TAG = {
  segmentationType: 'x00620001',
  segmentSequence: 'x00620002',
  segmentNumber: 'x00620004',
  segmentLabel: 'x00620005',
  maximumFractionalValue: 'x0062000e',
  segmentIdentificationSequence: 'x0062000a',
  referencedSegmentNumber: 'x0062000b',
  bitsAllocated: 'x00280100',
  rows: 'x00280010',
  columns: 'x00280011',
  numberOfFrames: 'x00280008',
} as const;

export interface Segment {
  number: number;
  label: string;
}

export interface SegmentationResult {
  /** Label volume on the reference grid: voxel value = segment number, 0 = background. */
  volume: Volume;
  segments: Segment[];
  /** Voxels claimed by more than one segment, per pair "a+b" (the higher number is kept). */
  overlaps: Record<string, number>;
  warnings: string[];
}

export const isSegmentation = (parsed: ParsedDicom): boolean => SEG_SOP_CLASSES[parsed.dataSet.string(TAG.sopClassUid) ?? ''] !== undefined;

/** 1-bit frames are packed across frame boundaries, least significant bit first (PS3.5 8.1.1). */
function unpackBits(parsed: ParsedDicom, frames: number, pixels: number, path: string): Uint8Array {
  const element = parsed.dataSet.elements[TAG.pixelData];
  const needed = Math.ceil((frames * pixels) / 8);
  if (!element || element.length < needed) {
    throw new InputError(path, `has ${element?.length ?? 0} bytes of 1-bit pixel data, ${needed} expected for ${frames} frames`, 'The segmentation file is truncated: export it again.');
  }
  const bytes = parsed.dataSet.byteArray;
  const bits = new Uint8Array(frames * pixels);
  for (let index = 0; index < bits.length; index += 1) bits[index] = (bytes[element.dataOffset + (index >> 3)]! >> (index & 7)) & 1;
  return bits;
}

/** The stored values of every frame, rows*columns each. */
async function frameValues(parsed: ParsedDicom, frames: number, pixels: number, path: string): Promise<ArrayLike<number>> {
  if (parsed.dataSet.uint16(SEG_TAG.bitsAllocated) === 1) return unpackBits(parsed, frames, pixels, path);
  return (await decodePixelData(parsed)).data;
}

/** Inverse of a 3x3 matrix given by its columns. */
function solve3(columns: [Vec3, Vec3, Vec3], target: Vec3): Vec3 {
  const [a, b, c] = columns;
  const det = dot(a, [b[1] * c[2] - b[2] * c[1], b[2] * c[0] - b[0] * c[2], b[0] * c[1] - b[1] * c[0]]);
  const replace = (index: number) => {
    const cols = [a, b, c].map((column, position) => (position === index ? target : column)) as [Vec3, Vec3, Vec3];
    const [x, y, z] = cols;
    return dot(x, [y[1] * z[2] - y[2] * z[1], y[2] * z[0] - y[0] * z[2], y[0] * z[1] - y[1] * z[0]]) / det;
  };
  return [replace(0), replace(1), replace(2)];
}

/** Grid of a segmentation without a reference: its own frame positions, stacked. */
function ownGrid(parsed: ParsedDicom, frames: number, rows: number, columns: number, path: string): { grid: Volume; warnings: string[] } {
  const seen = new Map<string, ReturnType<typeof framePlane>>();
  for (let frame = 0; frame < frames; frame += 1) {
    const plane = framePlane(parsed.dataSet, frame);
    seen.set((plane.position ?? [0, 0, frame]).map((value) => value.toFixed(3)).join(','), plane);
  }
  const planes = [...seen.values()].map((geometry, index) => ({
    label: `${path}#position${index + 1}`,
    geometry,
    rows,
    columns,
    samplesPerPixel: 1,
    stored: new Uint8Array(rows * columns),
    sourceDtype: 'uint8' as const,
  }));
  const { volume, warnings } = stackPlanes(planes, path);
  return { grid: volume, warnings: [`${path}: no reference series given; the labels use the segmentation's own frame positions.`, ...warnings] };
}

/** Grid for frames without positions (e.g. a segmentation of a radiograph): identity geometry. */
function unplacedGrid(plane: ReturnType<typeof framePlane>, segmentOfFrame: number[], rows: number, columns: number, path: string): { grid: Volume; warnings: string[] } {
  const counts = new Map<number, number>();
  for (const segment of segmentOfFrame) counts.set(segment, (counts.get(segment) ?? 0) + 1);
  const slices = Math.max(...counts.values());
  const [spacingI, spacingJ] = plane.pixelSpacing ?? [1, 1];
  const grid: Volume = {
    data: new Uint8Array(0),
    dims: [columns, rows, slices],
    spacing: [spacingI, spacingJ, plane.spacingBetweenSlices ?? plane.sliceThickness ?? 1],
    origin: [0, 0, 0],
    direction: [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ],
    channels: 1,
    sourceDtype: 'uint8',
  };
  return { grid, warnings: [`${path}: its frames have no patient positions; each segment's frames are stacked in order at the origin.`] };
}

/** The slice of `grid` that a frame at `position` lies on; an error when it is off the grid. */
function sliceOf(position: Vec3, grid: Volume, axes: [Vec3, Vec3, Vec3], frame: number, path: string): number {
  const [i, j, k] = solve3(axes, subtract(position, grid.origin));
  const slice = Math.round(k);
  if (Math.abs(i) > 0.01 || Math.abs(j) > 0.01 || Math.abs(k - slice) > 0.1 || slice < 0 || slice >= grid.dims[2]) {
    throw new InputError(path, `frame ${frame + 1} (at ${position.map((value) => value.toFixed(2)).join(', ')}) is not on a slice of the reference series`, 'Give the series the segmentation was drawn on.');
  }
  return slice;
}

/**
 * Reads a DICOM segmentation (BINARY, FRACTIONAL or LABELMAP; Segmentation Storage or Label Map
 * Segmentation Storage) into a label volume on `reference`'s grid (the series it was drawn on).
 * Each frame is placed by its ImagePositionPatient; frames off the grid are an error.
 */
export async function readSegmentation(parsed: ParsedDicom, path: string, reference?: Volume): Promise<SegmentationResult> {
  const { dataSet } = parsed;
  const type = (dataSet.string(SEG_TAG.segmentationType) ?? (SEG_SOP_CLASSES[dataSet.string(TAG.sopClassUid) ?? ''] === 'label-map' ? 'LABELMAP' : '')).toUpperCase();
  if (!['BINARY', 'FRACTIONAL', 'LABELMAP'].includes(type)) {
    throw new InputError(path, `has segmentation type "${type}", expected BINARY, FRACTIONAL or LABELMAP`, 'The file is not a valid DICOM segmentation: export it again.');
  }
  const rows = dataSet.uint16(SEG_TAG.rows) ?? 0;
  const columns = dataSet.uint16(SEG_TAG.columns) ?? 0;
  const frames = Number.parseInt(dataSet.string(SEG_TAG.numberOfFrames) ?? '1', 10) || 1;
  const segments: Segment[] = (dataSet.elements[SEG_TAG.segmentSequence]?.items ?? []).map((item, index) => ({
    number: item.dataSet?.uint16(SEG_TAG.segmentNumber) ?? index + 1,
    label: item.dataSet?.string(SEG_TAG.segmentLabel) ?? `segment ${index + 1}`,
  }));
  const planes = Array.from({ length: frames }, (_unused, frame) => framePlane(dataSet, frame));
  const segmentOfFrame = Array.from({ length: frames }, (_unused, frame) => {
    const perFrame = dataSet.elements[TAG.perFrameFunctionalGroups]?.items?.[frame]?.dataSet;
    return perFrame?.elements[SEG_TAG.segmentIdentificationSequence]?.items?.[0]?.dataSet?.uint16(SEG_TAG.referencedSegmentNumber) ?? 1;
  });
  const positioned = planes.every((plane) => plane.position !== null);
  if (!positioned && reference) {
    throw new InputError(path, 'gives its frames no ImagePositionPatient, so they cannot be placed on the reference series', 'Export the segmentation with frame positions (plane position functional group).');
  }
  const { grid, warnings } = reference
    ? { grid: reference, warnings: [] as string[] }
    : positioned
      ? ownGrid(parsed, frames, rows, columns, path)
      : unplacedGrid(planes[0]!, segmentOfFrame, rows, columns, path);
  if (grid.dims[0] !== columns || grid.dims[1] !== rows) {
    throw new InputError(path, `has ${columns}x${rows} frames but the reference series is ${grid.dims[0]}x${grid.dims[1]}`, 'Give the series the segmentation was drawn on.');
  }
  const values = await frameValues(parsed, frames, rows * columns, path);
  const maxFractional = decimals(dataSet, SEG_TAG.maximumFractionalValue, 1)?.[0] ?? 255;
  const axes = grid.direction.map((axis, index) => axis.map((value) => value * grid.spacing[index]!) as Vec3) as [Vec3, Vec3, Vec3];
  const pixels = rows * columns;
  const highest = Math.max(0, ...segments.map((segment) => segment.number));
  const labels = highest > 255 ? new Uint16Array(voxelCount(grid.dims)) : new Uint8Array(voxelCount(grid.dims));
  const overlaps: Record<string, number> = {};
  const framesSeen = new Map<number, number>();
  for (let frame = 0; frame < frames; frame += 1) {
    const segmentNumber = segmentOfFrame[frame]!;
    // Without positions, a segment's frames are its slices in order.
    const ordinal = framesSeen.get(segmentNumber) ?? 0;
    framesSeen.set(segmentNumber, ordinal + 1);
    const slice = positioned ? sliceOf(planes[frame]!.position!, grid, axes, frame, path) : ordinal;
    for (let pixel = 0; pixel < pixels; pixel += 1) {
      const stored = values[frame * pixels + pixel]!;
      const label = type === 'LABELMAP' ? stored : type === 'FRACTIONAL' ? (stored >= maxFractional / 2 ? segmentNumber : 0) : stored ? segmentNumber : 0;
      if (label === 0) continue;
      const voxel = slice * pixels + pixel;
      const previous = labels[voxel]!;
      if (previous !== 0 && previous !== label) {
        const key = `${Math.min(previous, label)}+${Math.max(previous, label)}`;
        overlaps[key] = (overlaps[key] ?? 0) + 1;
      }
      labels[voxel] = Math.max(previous, label);
    }
  }
  const covered = new Set(positioned ? planes.map((plane, frame) => sliceOf(plane.position!, grid, axes, frame, path)) : []);
  if (reference && covered.size < grid.dims[2]) {
    warnings.push(`${path}: has frames on ${covered.size} of the series' ${grid.dims[2]} slices; the other slices are labelled background (0). Check that the segmentation is complete.`);
  }
  const overlapPairs = Object.entries(overlaps);
  if (overlapPairs.length > 0) {
    warnings.push(`${path}: segments overlap (${overlapPairs.map(([pair, count]) => `${pair}: ${count} voxels`).join(', ')}); each voxel keeps the higher segment number.`);
  }
  const volume: Volume = { ...grid, data: labels, channels: 1, sourceDtype: highest > 255 ? 'uint16' : 'uint8' };
  return { volume, segments, overlaps, warnings };
}
