import { ANISOTROPY_THRESHOLD } from '../../api/fingerprint.ts';
import type { PreprocessingPlan, Triple } from '../../api/plans.ts';
import type { GridGeometry, PreprocessedCaseJson } from '../../api/preprocessed.ts';
import { InputError } from '../../io/input-error.ts';
import { voxelCount, type Volume } from '../../io/volume.ts';
import { boxDims, cropChannel, filledNonzeroMask, nonzeroBox, type Box } from './crop.ts';
import { normalizeChannel } from './normalize.ts';
import { axisInterpolations, labelArrayFor, resampleGrid, resampleLabels, type LabelArray } from './resample.ts';
import { hashSeed, sampleIndices } from '../seeded-sample.ts';

/** What preprocessing one case needs from plans.json. */
export interface CaseSettings {
  dataId: string;
  targetSpacing: Triple;
  preprocessing: PreprocessingPlan;
  labelValues: number[];
}

/** A preprocessed case in memory: the header (without file facts) and its arrays. */
export interface PreprocessedCase {
  record: Omit<PreprocessedCaseJson, 'sources' | 'arrays' | 'classLocations' | 'bytes' | 'sha256'>;
  /** [channel][k][j][i] float32. */
  image: Float32Array;
  /** [k][j][i] class indices, or null for a case without a label. */
  label: LabelArray | null;
  /** Per foreground class: the class, its voxel count, and the stored (i, j, k) coordinates, flattened. */
  locations: { classIndex: number; value: number; voxels: number; coordinates: Int32Array }[];
}

/**
 * The axis to resample on its own (nnU-Net's rule): the case's coarsest axis when its spacing is
 * anisotropic (coarsest/finest above the threshold), else the target's coarsest axis when the target
 * is; null when neither is, or when two axes tie for coarsest.
 */
export function separateAxisFor(source: Triple, target: Triple, ratio = ANISOTROPY_THRESHOLD): 0 | 1 | 2 | null {
  const coarsest = (spacing: Triple): 0 | 1 | 2 | null | undefined => {
    const largest = Math.max(...spacing);
    if (largest / Math.min(...spacing) <= ratio) return undefined;
    const axes = [0, 1, 2].filter((axis) => spacing[axis] === largest);
    return axes.length === 1 ? (axes[0] as 0 | 1 | 2) : null;
  };
  const fromSource = coarsest(source);
  if (fromSource !== undefined) return fromSource;
  return coarsest(target) ?? null;
}

/** Shape on the target spacing of a box of `dims` voxels of `spacing` (at least 1 voxel per axis). */
export const resampledDims = (dims: Triple, spacing: Triple, target: Triple): Triple => [0, 1, 2].map((axis) => Math.max(1, Math.round((dims[axis]! * spacing[axis]!) / target[axis]!))) as Triple;

/** The preprocessed grid in world coordinates: same extent as the crop box, `dims` voxels. */
export function gridGeometry(source: GridGeometry, box: Box, dims: Triple): GridGeometry {
  const cropped = boxDims(box);
  const scale = [0, 1, 2].map((axis) => cropped[axis]! / dims[axis]!);
  // Centre of voxel 0 of the new grid in source voxel coordinates (half-voxel convention of resample.ts).
  const start = [0, 1, 2].map((axis) => box.start[axis]! + 0.5 * scale[axis]! - 0.5);
  const origin = [0, 1, 2].map((row) => source.origin[row]! + [0, 1, 2].reduce((sum, axis) => sum + source.direction[axis]![row]! * source.spacing[axis]! * start[axis]!, 0)) as Triple;
  return { dims, spacing: [0, 1, 2].map((axis) => source.spacing[axis]! * scale[axis]!) as Triple, origin, direction: source.direction.map((axis) => [...axis]) as GridGeometry['direction'] };
}

/** Every channel of a case's image files, in channel order. */
function channelViews(images: Volume[]): ArrayLike<number>[] {
  return images.flatMap((volume) => {
    const size = voxelCount(volume.dims);
    return Array.from({ length: volume.channels }, (_, channel) => volume.data.subarray(channel * size, (channel + 1) * size));
  });
}

/** Class indices of a label volume inside the box; counts what falls outside the box and undeclared values. */
function cropLabel(label: Volume, box: Box, labelValues: number[]): { classes: LabelArray; outside: number; undeclared: number } {
  // Class index by label value (-1: undeclared); label values are small non-negative integers.
  const table = new Int32Array(Math.max(...labelValues) + 1).fill(-1);
  labelValues.forEach((value, index) => (table[value] = index));
  const classOf = (value: number) => (Number.isInteger(value) && value >= 0 && value < table.length ? table[value]! : -1);
  const [nx, ny, nz] = label.dims;
  const cropped = boxDims(box);
  const classes = labelArrayFor(labelValues.length, voxelCount(cropped));
  let outside = 0;
  let undeclared = 0;
  for (let k = 0, at = 0; k < nz; k += 1) {
    for (let j = 0; j < ny; j += 1) {
      for (let i = 0; i < nx; i += 1, at += 1) {
        const value = label.data[at]!;
        const inside = i >= box.start[0] && i < box.end[0] && j >= box.start[1] && j < box.end[1] && k >= box.start[2] && k < box.end[2];
        if (!inside) {
          if (value > 0) outside += 1;
          continue;
        }
        const classIndex = classOf(value);
        if (classIndex < 0) undeclared += 1;
        classes[((k - box.start[2]) * cropped[1] + (j - box.start[1])) * cropped[0] + (i - box.start[0])] = classIndex < 0 ? 0 : classIndex;
      }
    }
  }
  return { classes, outside, undeclared };
}

/**
 * nnU-Net's foreground sample per class: min(samples, voxels) coordinates, but at least 1 % of the
 * class's voxels; chosen with a seed derived from the case id, so any worker stores the same ones.
 */
function classLocations(label: LabelArray, dims: Triple, labelValues: number[], samples: number, seed: number, caseId: string): PreprocessedCase['locations'] {
  const counts = new Uint32Array(labelValues.length);
  for (let at = 0; at < label.length; at += 1) counts[label[at]!]! += 1;
  // One pass fills every class's ascending voxel list.
  const lists = Array.from(counts, (count) => new Uint32Array(count));
  const filled = new Uint32Array(labelValues.length);
  for (let at = 0; at < label.length; at += 1) {
    const value = label[at]!;
    if (value > 0) lists[value]![filled[value]!++] = at;
  }
  return labelValues.slice(1).map((value, offset) => {
    const classIndex = offset + 1;
    const all = lists[classIndex]!;
    const keep = Math.min(all.length, Math.max(samples, Math.ceil(all.length * 0.01)));
    const chosen = sampleIndices(all, keep, hashSeed(`${caseId}/${classIndex}`, seed));
    const coordinates = new Int32Array(chosen.length * 3);
    chosen.forEach((index, at) => {
      coordinates[3 * at] = index % dims[0];
      coordinates[3 * at + 1] = Math.floor(index / dims[0]) % dims[1];
      coordinates[3 * at + 2] = Math.floor(index / (dims[0] * dims[1]));
    });
    return { classIndex, value, voxels: all.length, coordinates };
  });
}

/**
 * One case, in memory: crop to the nonzero box of the image channels, normalize each channel as
 * planned (at the source resolution, as nnU-Net), resample images and label to the target spacing,
 * and sample foreground coordinates per class. Images and label must share one grid.
 */
export function preprocessVolumes(caseId: string, images: Volume[], label: Volume | null, settings: CaseSettings): PreprocessedCase {
  const reference = images[0];
  if (reference === undefined) throw new InputError(caseId, 'has no image', 'Check the case in dataset.json.');
  const dims = [...reference.dims] as Triple;
  for (const other of [...images.slice(1), ...(label ? [label] : [])]) {
    if (other.dims.some((size, axis) => size !== dims[axis])) throw new InputError(caseId, `mixes grids ${dims.join('x')} and ${other.dims.join('x')}`, "Run 'voxnas dataset check' and fix the case.");
  }
  const { preprocessing, targetSpacing, labelValues } = settings;
  const views = channelViews(images);
  if (views.length !== preprocessing.normalization.length) throw new InputError(caseId, `has ${views.length} image channels, the plan ${preprocessing.normalization.length}`, 'Plan again for this dataset.');
  const source: GridGeometry = { dims, spacing: [...reference.spacing], origin: [...reference.origin], direction: reference.direction.map((axis) => [...axis]) as GridGeometry['direction'] };
  const box = nonzeroBox(views, dims);
  const cropped = boxDims(box);
  const channels = views.map((view) => cropChannel(view, dims, box));
  const mask = preprocessing.normalization.some((entry) => entry.scheme === 'z-score' && entry.insideNonzeroMask) ? filledNonzeroMask(channels, cropped) : null;
  const normalization = channels.map((values, channel) => normalizeChannel(values, preprocessing.normalization[channel]!, mask));
  const outDims = resampledDims(cropped, source.spacing, targetSpacing);
  const separateAxis = separateAxisFor(source.spacing, targetSpacing, preprocessing.separateAxisRatio);
  const imageAxes = axisInterpolations(preprocessing.imageInterpolation, separateAxis);
  const size = voxelCount(outDims);
  const image = new Float32Array(size * channels.length);
  channels.forEach((values, channel) => image.set(resampleGrid(values, cropped, outDims, imageAxes), channel * size));
  let labelMap: LabelArray | null = null;
  let outside = 0;
  let undeclared = 0;
  if (label !== null) {
    const croppedLabel = cropLabel(label, box, labelValues);
    outside = croppedLabel.outside;
    undeclared = croppedLabel.undeclared;
    const labelAxes = axisInterpolations(preprocessing.labelInterpolation === 'nearest' ? 'nearest' : 'linear', separateAxis);
    labelMap = resampleLabels(croppedLabel.classes, cropped, outDims, labelValues.length, labelAxes);
  }
  return {
    record: {
      schemaVersion: 1,
      caseId,
      dataId: settings.dataId,
      source,
      crop: { start: box.start, end: box.end },
      grid: gridGeometry(source, box, outDims),
      separateAxis,
      imageInterpolation: preprocessing.imageInterpolation,
      labelInterpolation: preprocessing.labelInterpolation,
      channels: channels.length,
      labelValues: [...labelValues],
      normalization,
      labelVoxelsOutsideCrop: outside,
      undeclaredLabelVoxels: undeclared,
    },
    image,
    label: labelMap,
    locations: labelMap === null ? [] : classLocations(labelMap, outDims, labelValues, preprocessing.classLocationSamples, preprocessing.seed, caseId),
  };
}
