/**
 * What the viewer needs from a VolumePayload (main/contract): typed voxels, the grid in
 * Cornerstone's terms, window/level ranges and the label values present. Pure functions, no
 * Cornerstone, so they are unit-tested in Node.
 *
 * Geometry: the payload's dims, spacing and origin are in (i, j, k) order, i fastest in `data`;
 * `direction` is 9 numbers, the LPS unit vectors of the i, j and k axes one after the other. That is
 * exactly Cornerstone's ImageVolume convention (direction[0..2] = row cosines = the i axis), so the
 * grid passes through unchanged; only the voxel type may need converting.
 */
import type { VolumePayload } from '../../../../main/contract/index.ts';

export type Triple = [number, number, number];

export interface VolumeGrid {
  dimensions: Triple;
  spacing: Triple;
  origin: Triple;
  direction: [number, number, number, number, number, number, number, number, number];
}

export type Voxels = Float32Array | Uint8Array | Int16Array | Uint16Array | Int32Array;

/** The payload's voxels as the typed array its dtype names (a view of its buffer, not a copy). */
export function payloadVoxels(payload: Pick<VolumePayload, 'dtype' | 'data'>): Voxels {
  switch (payload.dtype) {
    case 'float32':
      return new Float32Array(payload.data);
    case 'uint8':
      return new Uint8Array(payload.data);
    case 'int16':
      return new Int16Array(payload.data);
    case 'uint16':
      return new Uint16Array(payload.data);
    case 'int32':
      return new Int32Array(payload.data);
  }
}

/** The grid of a payload; throws when its numbers cannot describe a volume (a truncated or foreign payload). */
export function volumeGrid(payload: Pick<VolumePayload, 'dims' | 'spacing' | 'origin' | 'direction' | 'caseId' | 'kind'>): VolumeGrid {
  const finite = (values: readonly number[]) => values.every((value) => Number.isFinite(value));
  const { dims, spacing, origin, direction } = payload;
  if (dims.length !== 3 || !dims.every((size) => Number.isInteger(size) && size > 0) || spacing.length !== 3 || !spacing.every((size) => size > 0) || !finite(origin) || direction.length !== 9 || !finite(direction)) {
    throw new Error(`The ${payload.kind} of case ${payload.caseId} has no usable geometry (dims ${dims.join('x')}, spacing ${spacing.join(', ')}).`);
  }
  return { dimensions: [...dims], spacing: [...spacing], origin: [...origin], direction: direction as VolumeGrid['direction'] };
}

/** Image voxels as float32 (the texture type the viewer renders for every intensity type). */
export function imageScalars(payload: Pick<VolumePayload, 'dtype' | 'data'>): Float32Array {
  const voxels = payloadVoxels(payload);
  return voxels instanceof Float32Array ? voxels : Float32Array.from(voxels);
}

/** Whether two grids are the same voxel grid (same dims; spacing, origin and direction within `tolerance`). */
export function sameGrid(a: VolumeGrid, b: VolumeGrid, tolerance = 1e-3): boolean {
  const close = (x: readonly number[], y: readonly number[]) => x.every((value, index) => Math.abs(value - y[index]!) <= tolerance);
  return a.dimensions.every((size, axis) => size === b.dimensions[axis]) && close(a.spacing, b.spacing) && close(a.origin, b.origin) && close(a.direction, b.direction);
}

/**
 * A label map as the uint8 labelmap the viewer draws on the image's grid. Throws, naming the case,
 * when the grids differ or a value is not a label the viewer can colour (0..255).
 */
export function labelScalars(label: Pick<VolumePayload, 'dtype' | 'data' | 'dims' | 'spacing' | 'origin' | 'direction' | 'caseId' | 'kind'>, image: VolumeGrid): Uint8Array {
  if (!sameGrid(volumeGrid(label), image)) {
    throw new Error(`The ${label.kind} of case ${label.caseId} is not on its image's voxel grid (${label.dims.join('x')} vs ${image.dimensions.join('x')}): it cannot be overlaid.`);
  }
  const voxels = payloadVoxels(label);
  if (voxels instanceof Uint8Array) return voxels;
  const labels = new Uint8Array(voxels.length);
  for (let index = 0; index < voxels.length; index += 1) {
    const value = voxels[index]!;
    if (!Number.isInteger(value) || value < 0 || value > 255) throw new Error(`The ${label.kind} of case ${label.caseId} holds the value ${value}: not a label the viewer can show (0 to 255).`);
    labels[index] = value;
  }
  return labels;
}

/** The nonzero values of a label map, ascending. */
export function labelValuesPresent(labels: Uint8Array): number[] {
  const seen = new Uint8Array(256);
  for (const value of labels) seen[value] = 1;
  const values: number[] = [];
  seen.forEach((present, value) => {
    if (present && value > 0) values.push(value);
  });
  return values;
}

/** At most this many voxels are sorted for a percentile (an evenly strided sample of larger volumes). */
const PERCENTILE_SAMPLE = 262_144;

/** [low, high] intensities at the given fractions (0..1) of the finite voxel values (0 and 1: the exact extremes). */
export function percentileRange(data: ArrayLike<number>, low: number, high: number): [number, number] {
  const stride = Math.max(1, Math.ceil(data.length / PERCENTILE_SAMPLE));
  const sample: number[] = [];
  let [min, max] = [Infinity, -Infinity];
  for (let index = 0; index < data.length; index += 1) {
    const value = data[index]!;
    if (!Number.isFinite(value)) continue;
    if (value < min) min = value;
    if (value > max) max = value;
    if (index % stride === 0) sample.push(value);
  }
  if (sample.length === 0) return [0, 1];
  const values = Float64Array.from(sample).sort();
  const at = (fraction: number) => (fraction <= 0 ? min : fraction >= 1 ? max : values[Math.round(fraction * (values.length - 1))]!);
  const range: [number, number] = [at(low), at(high)];
  return range[1] > range[0] ? range : [range[0], range[0] + 1];
}

export interface WindowPreset {
  id: string;
  label: string;
  /** [lower, upper] intensity shown from black to white. */
  range: [number, number];
}

/** CT windows in Hounsfield units: [centre, width]. */
const CT_WINDOWS: [string, string, number, number][] = [
  ['ct-brain', 'Brain (CT)', 40, 80],
  ['ct-soft-tissue', 'Soft tissue (CT)', 40, 400],
  ['ct-lung', 'Lung (CT)', -600, 1500],
  ['ct-bone', 'Bone (CT)', 300, 1500],
];

/**
 * Window/level presets for an image: from its own intensities (MRI has no absolute scale), plus the
 * usual CT windows when the channel is CT. The first preset is the default.
 */
export function windowPresets(data: ArrayLike<number>, modality: string): WindowPreset[] {
  const presets: WindowPreset[] = [
    { id: 'auto', label: 'Auto (0.5–99.5 %)', range: percentileRange(data, 0.005, 0.995) },
    { id: 'contrast', label: 'High contrast (5–95 %)', range: percentileRange(data, 0.05, 0.95) },
    { id: 'full', label: 'Full range', range: percentileRange(data, 0, 1) },
  ];
  if (/\bCT\b/i.test(modality)) {
    for (const [id, label, centre, width] of CT_WINDOWS) presets.push({ id, label, range: [centre - width / 2, centre + width / 2] });
  }
  return presets;
}
