import { readFile } from 'node:fs/promises';
import { isRecord, isStringArray, type Validated } from '../api/validation.ts';
import { writeFileAtomic } from '../runtime/atomic-write.ts';
import { MersenneTwister } from './mersenne-twister.ts';

/**
 * Patient-wise cross-validation splits.
 *
 * A split file (`splits.json`) has nnU-Net's format: a JSON list with one `{ "train": [...], "val": [...] }`
 * per fold, holding case ids. Generated folds are nnU-Net's: the case ids sorted by code point, split
 * by scikit-learn's `KFold(n_splits=5, shuffle=True, random_state=12345)`, which VoxNAS reproduces
 * exactly (NumPy's MT19937 shuffle, engine/data/mersenne-twister.ts). So fold sizes are KFold's (the
 * first n % k folds get one case more), both lists of a fold are in sorted order, and a VoxNAS fold
 * holds the same cases as the nnU-Net fold of the same number.
 */
export interface Fold {
  train: string[];
  val: string[];
}

/** A fold number (0-based) or `all`: every case trains, none validates (nnU-Net's `-f all`). */
export type FoldChoice = number | 'all';

/** nnU-Net's seed for its generated splits. */
export const DEFAULT_SPLIT_SEED = 12345;
export const DEFAULT_FOLD_COUNT = 5;

export interface CrossValidationOptions {
  /** Number of folds (default 5). */
  folds?: number;
  /** Shuffle seed, an integer in [0, 2^32) (default 12345, nnU-Net's). */
  seed?: number;
  /**
   * The patient of each case, when a patient has several cases (e.g. time points): folds are drawn
   * over the sorted patient ids, and every case of a patient lands in the same fold. Without it each
   * case is its own patient (nnU-Net's behaviour).
   */
  patientOf?: (caseId: string) => string;
}

/** Orders strings by Unicode code point, as NumPy's `np.sort` orders an array of str. */
export function compareCodePoints(left: string, right: string): number {
  const a = Array.from(left);
  const b = Array.from(right);
  for (let index = 0; index < Math.min(a.length, b.length); index += 1) {
    const difference = a[index]!.codePointAt(0)! - b[index]!.codePointAt(0)!;
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

/** Number of items in each of k folds for n items: floor(n / k), plus one for the first n % k folds (KFold). */
export function foldSizes(itemCount: number, foldCount: number): number[] {
  return Array.from({ length: foldCount }, (_, fold) => Math.floor(itemCount / foldCount) + (fold < itemCount % foldCount ? 1 : 0));
}

/** Deterministic k-fold splits of the case ids (see the module comment); an error value when they cannot be made. */
export function crossValidationFolds(caseIds: readonly string[], options: CrossValidationOptions = {}): Validated<Fold[]> {
  const foldCount = options.folds ?? DEFAULT_FOLD_COUNT;
  const seed = options.seed ?? DEFAULT_SPLIT_SEED;
  const errors: string[] = [];
  if (!Number.isInteger(foldCount) || foldCount < 2) errors.push(`folds: expected an integer of at least 2, got ${foldCount}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) errors.push(`seed: expected an integer in [0, 2^32), got ${seed}`);
  const repeated = caseIds.filter((id, index) => caseIds.indexOf(id) !== index);
  if (repeated.length > 0) errors.push(`case ids: ${[...new Set(repeated)].join(', ')} appear more than once`);
  const patientOf = options.patientOf ?? ((caseId: string) => caseId);
  const patients = [...new Set(caseIds.map(patientOf))].sort(compareCodePoints);
  if (errors.length === 0 && patients.length < foldCount) {
    errors.push(`${foldCount}-fold cross-validation needs at least ${foldCount} patients, the dataset has ${patients.length}; use fewer folds, a split file, or fold 'all'`);
  }
  if (errors.length > 0) return { ok: false, errors };

  const order = new MersenneTwister(seed).shuffle(patients.map((_, index) => index));
  const foldOfPatient = new Int32Array(patients.length);
  let start = 0;
  foldSizes(patients.length, foldCount).forEach((size, fold) => {
    for (const index of order.slice(start, start + size)) foldOfPatient[index] = fold;
    start += size;
  });
  const foldByPatient = new Map<string, number>();
  patients.forEach((patient, index) => foldByPatient.set(patient, foldOfPatient[index]!));
  const sortedCases = [...caseIds].sort(compareCodePoints);
  const folds = Array.from({ length: foldCount }, (_, fold) => ({
    train: sortedCases.filter((id) => foldByPatient.get(patientOf(id)) !== fold),
    val: sortedCases.filter((id) => foldByPatient.get(patientOf(id)) === fold),
  }));
  return { ok: true, value: folds };
}

/**
 * Checks a parsed split file against the dataset's case ids. Errors name the fold and list at fault:
 * not a list of `{ train, val }`, unknown case ids, a case twice in one list, a case in both lists of
 * a fold, an empty training list. A case may be in no fold (it is then never validated).
 */
export function validateSplits(document: unknown, caseIds: readonly string[]): Validated<Fold[]> {
  if (!Array.isArray(document) || document.length === 0) return { ok: false, errors: ['splits: expected a non-empty JSON list of { "train": [...], "val": [...] }, one per fold'] };
  const known = new Set(caseIds);
  const errors: string[] = [];
  const quote = (ids: string[]) => ids.slice(0, 5).join(', ') + (ids.length > 5 ? ` and ${ids.length - 5} more` : '');
  document.forEach((fold, index) => {
    const at = `splits[${index}]`;
    if (!isRecord(fold) || !isStringArray(fold['train']) || !isStringArray(fold['val'])) {
      errors.push(`${at}: expected { "train": [case ids], "val": [case ids] }`);
      return;
    }
    for (const list of ['train', 'val'] as const) {
      const ids = fold[list] as string[];
      const unknown = ids.filter((id) => !known.has(id));
      if (unknown.length > 0) errors.push(`${at}.${list}: unknown case ids ${quote(unknown)} (not in the dataset)`);
      const repeated = [...new Set(ids.filter((id, position) => ids.indexOf(id) !== position))];
      if (repeated.length > 0) errors.push(`${at}.${list}: ${quote(repeated)} listed more than once`);
    }
    const validation = new Set(fold['val'] as string[]);
    const overlap = [...new Set((fold['train'] as string[]).filter((id) => validation.has(id)))];
    if (overlap.length > 0) errors.push(`${at}: ${quote(overlap)} in both train and val`);
    if ((fold['train'] as string[]).length === 0) errors.push(`${at}.train: empty; a fold needs training cases`);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: document as Fold[] };
}

/** Parses `0`..`k-1` or `all` (a CLI `--fold` value); null for anything else. */
export function parseFoldChoice(text: string): FoldChoice | null {
  if (text === 'all') return 'all';
  return /^(0|[1-9]\d*)$/.test(text) ? Number(text) : null;
}

/** The training and validation cases of one fold; `all` trains on every case and validates on none. */
export function selectFold(folds: readonly Fold[], caseIds: readonly string[], choice: FoldChoice): Validated<Fold> {
  if (choice === 'all') return { ok: true, value: { train: [...caseIds].sort(compareCodePoints), val: [] } };
  const fold = folds[choice];
  if (!Number.isInteger(choice) || fold === undefined) return { ok: false, errors: [`fold ${choice} does not exist: choose 0..${folds.length - 1} or 'all'`] };
  return { ok: true, value: { train: [...fold.train], val: [...fold.val] } };
}

/** Reads and validates a split file; unreadable files and bad JSON are error values too. */
export async function readSplitsFile(path: string, caseIds: readonly string[]): Promise<Validated<Fold[]>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { ok: false, errors: [`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`] };
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [`${path}: not valid JSON (${(error as Error).message})`] };
  }
  const validated = validateSplits(document, caseIds);
  return validated.ok ? validated : { ok: false, errors: validated.errors.map((error) => `${path}: ${error}`) };
}

/** Writes folds as an nnU-Net-compatible split file, atomically. */
export async function writeSplitsFile(path: string, folds: readonly Fold[]): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(folds, null, 2)}\n`);
}
