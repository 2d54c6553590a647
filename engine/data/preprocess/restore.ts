import type { Triple } from '../../api/plans.ts';
import type { PreprocessedCaseJson } from '../../api/preprocessed.ts';
import type { Volume } from '../../io/volume.ts';
import { boxDims, pasteBox } from './crop.ts';
import { axisInterpolations, resampleLabels, resampleProbabilities, type LabelArray } from './resample.ts';

/**
 * A prediction on a case's preprocessed grid: a map of class indices ([k][j][i]), or per-class
 * probabilities (or logits: only their order matters) as [class][k][j][i], class slowest like
 * Volume.data. (A network's NDHWC output must be transposed to this first.)
 */
export type GridPrediction = { labels: LabelArray } | { probabilities: Float32Array };

/**
 * Puts a prediction back into the source image's geometry: resample from the preprocessed grid to the
 * crop box (probabilities: linear per class then argmax; a label map: one-hot linear, or nearest when
 * the plan resampled labels with nearest; the separately handled axis with nearest either way), map
 * class indices to label values, and paste into the full source grid (background outside the box).
 * The returned volume has the source's dims, spacing, origin and direction exactly.
 */
/** What restoring needs from a case header (a case preprocessed in memory has no file facts). */
export type RestoreRecord = Pick<PreprocessedCaseJson, 'labelValues' | 'crop' | 'grid' | 'labelInterpolation' | 'separateAxis' | 'source'>;

export function restoreToSource(prediction: GridPrediction, record: RestoreRecord): Volume {
  const classes = record.labelValues.length;
  const cropDims = boxDims(record.crop);
  const gridDims = record.grid.dims;
  let restored: LabelArray;
  if ('labels' in prediction) {
    if (prediction.labels.length !== gridDims[0] * gridDims[1] * gridDims[2]) throw new RangeError(`restoreToSource: expected a ${gridDims.join('x')} label map, got ${prediction.labels.length} values`);
    const inPlane = record.labelInterpolation === 'nearest' ? 'nearest' : 'linear';
    restored = resampleLabels(prediction.labels, gridDims, cropDims, classes, axisInterpolations(inPlane, record.separateAxis));
  } else {
    const expected = classes * gridDims[0] * gridDims[1] * gridDims[2];
    if (prediction.probabilities.length !== expected) throw new RangeError(`restoreToSource: expected ${classes} x ${gridDims.join('x')} probabilities, got ${prediction.probabilities.length} values`);
    restored = resampleProbabilities(prediction.probabilities, gridDims, cropDims, classes, axisInterpolations('linear', record.separateAxis));
  }
  const wide = Math.max(...record.labelValues) > 255;
  const values = wide ? new Uint16Array(restored.length) : new Uint8Array(restored.length);
  for (let at = 0; at < restored.length; at += 1) values[at] = record.labelValues[restored[at]!]!;
  const { dims, spacing, origin, direction } = record.source;
  const full = wide ? new Uint16Array(dims[0] * dims[1] * dims[2]) : new Uint8Array(dims[0] * dims[1] * dims[2]);
  pasteBox(full, dims, record.crop, values);
  return {
    data: full,
    dims: [...dims] as Triple,
    spacing: [...spacing] as Triple,
    origin: [...origin] as Triple,
    direction: direction.map((axis) => [...axis]) as Volume['direction'],
    channels: 1,
    sourceDtype: wide ? 'uint16' : 'uint8',
  };
}
