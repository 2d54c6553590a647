import { makeFinding, type IntegrityFinding } from '../../api/integrity.ts';
import { voxelCount, type Volume } from '../volume.ts';

/** How far geometry may differ between an image's channels and its label before it is a finding. */
export const GEOMETRY_TOLERANCE = {
  /** Relative difference of each spacing axis (1e-4: 1 mm vs 1.0001 mm passes; float32 headers round at ~1e-7). */
  spacingRelative: 1e-4,
  /** Origin distance per axis, as a fraction of the smallest voxel size. */
  originVoxels: 1e-3,
  /** Absolute difference of each direction cosine. */
  direction: 1e-4,
} as const;

type Where = { case: string; file: string };
const format = (values: readonly number[]) => values.map((value) => Number(value.toPrecision(6))).join(' x ');

/**
 * Compares one file's grid with the reference (the case's first image): dims and spacing mismatches
 * are errors, origin and direction mismatches warnings (training works on the voxel grid, as nnU-Net).
 */
export function compareGeometry(reference: Volume, other: Volume, where: Where, referenceFile: string): IntegrityFinding[] {
  const findings: IntegrityFinding[] = [];
  if (reference.dims.some((size, axis) => size !== other.dims[axis])) {
    findings.push(makeFinding('dims-mismatch', where, `${where.file} has ${format(other.dims)} voxels but ${referenceFile} has ${format(reference.dims)}`));
  }
  const spacingDiffers = reference.spacing.some((size, axis) => Math.abs(size - other.spacing[axis]!) > GEOMETRY_TOLERANCE.spacingRelative * Math.max(Math.abs(size), Math.abs(other.spacing[axis]!)));
  if (spacingDiffers) findings.push(makeFinding('spacing-mismatch', where, `${where.file} has spacing ${format(other.spacing)} mm but ${referenceFile} has ${format(reference.spacing)} mm`));
  const originTolerance = GEOMETRY_TOLERANCE.originVoxels * Math.min(...reference.spacing);
  if (reference.origin.some((value, axis) => Math.abs(value - other.origin[axis]!) > originTolerance)) {
    findings.push(makeFinding('origin-mismatch', where, `${where.file} has origin ${format(other.origin)} mm (LPS) but ${referenceFile} has ${format(reference.origin)} mm`));
  }
  const directionDiffers = reference.direction.some((axis, index) => axis.some((value, component) => Math.abs(value - other.direction[index]![component]!) > GEOMETRY_TOLERANCE.direction));
  if (directionDiffers) {
    findings.push(makeFinding('direction-mismatch', where, `${where.file} has axis directions ${JSON.stringify(other.direction.map((axis) => axis.map((value) => Number(value.toFixed(4)))))} but ${referenceFile} has ${JSON.stringify(reference.direction.map((axis) => axis.map((value) => Number(value.toFixed(4)))))}`));
  }
  return findings;
}

/** NaN/Inf voxels (error) and constant channels (warning) of one image file. */
export function checkImageValues(volume: Volume, where: Where): IntegrityFinding[] {
  const findings: IntegrityFinding[] = [];
  const size = voxelCount(volume.dims);
  for (let channel = 0; channel < volume.channels; channel += 1) {
    let nonFinite = 0;
    let min = Infinity;
    let max = -Infinity;
    const end = (channel + 1) * size;
    for (let index = channel * size; index < end; index += 1) {
      const value = volume.data[index]!;
      if (value - value !== 0) nonFinite += 1; // NaN and +-Infinity
      else {
        if (value < min) min = value;
        if (value > max) max = value;
      }
    }
    const label = volume.channels > 1 ? ` (channel ${channel})` : '';
    if (nonFinite > 0) findings.push(makeFinding('image-non-finite', where, `${where.file}${label} has ${nonFinite} NaN or infinite voxel${nonFinite === 1 ? '' : 's'} (of ${size})`));
    else if (size > 1 && min === max) findings.push(makeFinding('image-constant', where, `${where.file}${label} has the value ${min} in every voxel`));
  }
  return findings;
}

/** Voxel counts of a label volume's values (first channel). */
export interface LabelHistogram {
  /** Integer value -> voxel count. */
  counts: Map<number, number>;
  /** Voxels that are not whole numbers (fractions, NaN, Inf). */
  nonInteger: number;
  /** One such value, for the message. */
  nonIntegerExample: number | null;
}

export function labelHistogram(volume: Volume): LabelHistogram {
  const size = voxelCount(volume.dims);
  const counts = new Map<number, number>();
  let nonInteger = 0;
  let nonIntegerExample: number | null = null;
  const data = volume.data;
  if (data instanceof Uint8Array) {
    const bins = new Float64Array(256);
    for (let index = 0; index < size; index += 1) bins[data[index]!]! += 1;
    bins.forEach((count, value) => count > 0 && counts.set(value, count));
    return { counts, nonInteger, nonIntegerExample };
  }
  for (let index = 0; index < size; index += 1) {
    const value = data[index]!;
    if (Number.isInteger(value)) counts.set(value, (counts.get(value) ?? 0) + 1);
    else {
      nonInteger += 1;
      nonIntegerExample ??= value;
    }
  }
  return { counts, nonInteger, nonIntegerExample };
}

/**
 * Label file findings: extra channels, non-integer values, values not declared (when labels are
 * declared), and no foreground at all (warning).
 */
export function checkLabelValues(histogram: LabelHistogram, volume: Volume, declared: Record<string, string> | null, where: Where): IntegrityFinding[] {
  const findings: IntegrityFinding[] = [];
  if (volume.channels > 1) findings.push(makeFinding('label-multichannel', where, `${where.file} has ${volume.channels} channels; a label has one (only the first was checked)`));
  if (histogram.nonInteger > 0) {
    const count = histogram.nonInteger;
    findings.push(makeFinding('label-value-non-integer', where, `${where.file} has ${count} voxel${count === 1 ? '' : 's'} that ${count === 1 ? 'is not a whole number' : 'are not whole numbers'} (for example ${histogram.nonIntegerExample})`));
  }
  const values = [...histogram.counts.keys()].sort((a, b) => a - b);
  if (declared !== null) {
    const undeclared = values.filter((value) => !Object.hasOwn(declared, String(value)));
    if (undeclared.length > 0) {
      const shown = undeclared.slice(0, 10).join(', ') + (undeclared.length > 10 ? `, ... (${undeclared.length} in all)` : '');
      findings.push(makeFinding('label-value-undeclared', where, `${where.file} has label value${undeclared.length > 1 ? 's' : ''} ${shown}, not declared (declared: ${Object.keys(declared).join(', ')})`));
    }
  }
  if (histogram.nonInteger === 0 && values.every((value) => value === 0)) findings.push(makeFinding('label-empty', where, `${where.file} has no foreground voxel (every voxel is 0)`));
  return findings;
}
