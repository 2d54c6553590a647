import type { DatasetCase, DatasetLayout } from '../../api/dataset.ts';
import { makeFinding, type IntegrityFinding } from '../../api/integrity.ts';
import { isLabelKey } from '../../api/validation.ts';
import type { FolderEntry } from './dataset-files.ts';

/** What a layout reader found in a folder, before any voxel is read. */
export interface DatasetListing {
  /** Absolute path of the dataset folder; case paths are relative to it. */
  folder: string;
  layout: DatasetLayout;
  name: string;
  description: string;
  /** Declared channel names; null when the layout declares none (folder pair). */
  channels: string[] | null;
  /** Declared labels, value -> name; null when the layout declares none (folder pair). */
  labels: Record<string, string> | null;
  /** Unique ids, in the layout's order. */
  cases: DatasetCase[];
  /** Problems seen while listing: dataset.json fields, duplicates, unlisted files, missing labels. */
  findings: IntegrityFinding[];
}

/** Label declarations as value -> name, with findings for keys that are not label values. */
export function checkLabelDeclaration(labels: Record<string, string>, findings: IntegrityFinding[]): void {
  const values = Object.keys(labels).filter(isLabelKey).map(Number);
  const bad = Object.keys(labels).filter((key) => !isLabelKey(key));
  if (bad.length > 0) findings.push(makeFinding('labels-invalid', { file: 'dataset.json' }, `labels: ${bad.map((key) => JSON.stringify(key)).join(', ')} ${bad.length === 1 ? 'is not a label value' : 'are not label values'} (non-negative integers)`));
  if (!values.includes(0)) {
    findings.push(makeFinding('labels-invalid', { file: 'dataset.json' }, 'labels: no background label 0 is declared'));
    return;
  }
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.some((value, index) => value !== index)) {
    findings.push(makeFinding('labels-not-consecutive', { file: 'dataset.json' }, `labels ${sorted.join(', ')} are not consecutive from 0`));
  }
}

/** Channel names from an object keyed "0", "1", ... (MSD modality, nnU-Net channel_names). */
export function channelNames(value: unknown, field: string, findings: IntegrityFinding[]): string[] {
  const entries = typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.entries(value) : [];
  const names = entries.map((_, index) => entries.find(([key]) => key === String(index))?.[1]);
  if (entries.length === 0 || names.some((name) => typeof name !== 'string')) {
    findings.push(makeFinding('dataset-json-invalid', { file: 'dataset.json' }, `${field}: expected an object {"0": "<channel name>", "1": ...} with keys 0..n-1; read as one channel`));
    return ['image'];
  }
  return names as string[];
}

interface ListingInput extends Omit<DatasetListing, 'cases' | 'findings'> {
  cases: DatasetCase[];
  findings: IntegrityFinding[];
  /** Every volume entry in the layout's image and label folders, to find files no case uses. */
  scanned: FolderEntry[];
}

/**
 * The checks every layout shares: repeated case ids (the repeat is dropped), one file used by two
 * cases, training cases without a label or image, and files on disk that no case lists.
 */
export function finishListing(input: ListingInput): DatasetListing {
  const { scanned, ...listing } = input;
  const findings = [...input.findings];
  const cases: DatasetCase[] = [];
  const owners = new Map<string, string>();
  for (const entry of input.cases) {
    if (cases.some((kept) => kept.id === entry.id)) {
      findings.push(makeFinding('duplicate-case', { case: entry.id, file: entry.images[0] ?? entry.label }, `case ${entry.id} is listed more than once; the repeat is ignored`));
      continue;
    }
    cases.push(entry);
    for (const file of [...entry.images, ...(entry.label === null ? [] : [entry.label])]) {
      const owner = owners.get(file);
      if (owner !== undefined) findings.push(makeFinding('duplicate-file', { case: entry.id, file }, `${file} is used by case ${owner} and again by case ${entry.id}`));
      else owners.set(file, entry.id);
    }
    if (entry.images.length === 0) findings.push(makeFinding('missing-image', { case: entry.id, file: entry.label }, `case ${entry.id} has a label but no image`));
    if (entry.split === 'training' && entry.label === null) findings.push(makeFinding('missing-label', { case: entry.id, file: entry.images[0] ?? null }, `training case ${entry.id} has no label file`));
  }
  for (const entry of scanned) {
    if (!owners.has(entry.path)) findings.push(makeFinding('unlisted-file', { file: entry.path }, `${entry.path} is in the dataset folder but no case uses it`));
  }
  return { ...listing, cases, findings };
}
