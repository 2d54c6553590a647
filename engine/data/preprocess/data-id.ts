import { createHash } from 'node:crypto';
import type { PreprocessingPlan, Triple } from '../../api/plans.ts';
import { canonicalJson } from '../../network/genome.ts';

/** Bump when the preprocessing code changes what it writes for the same plan: old caches then stop matching. */
export const PREPROCESSING_FORMAT = 1;

/** What decides a preprocessed case's bytes (with the case's own files). */
export interface DataIdParts {
  targetSpacing: Triple;
  preprocessing: PreprocessingPlan;
  labelValues: number[];
}

/** The cache folder's name: 16 hex digits of the SHA-256 of the canonical JSON of the parts (and the format). */
export function dataIdOf(parts: DataIdParts): string {
  const { targetSpacing, preprocessing, labelValues } = parts;
  return createHash('sha256')
    .update(canonicalJson({ format: PREPROCESSING_FORMAT, targetSpacing, preprocessing, labelValues }))
    .digest('hex')
    .slice(0, 16);
}
