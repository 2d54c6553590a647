import { isLabelKey, isRecord, isStringArray, migrateDocument, type FileKind, type Validated } from './validation.ts';

/** The folder layouts VoxNAS imports (see engine/io/dataset/layouts.ts). */
export type DatasetLayout = 'msd' | 'nnunet-v2' | 'folder-pair';
export const DATASET_LAYOUTS: readonly DatasetLayout[] = ['msd', 'nnunet-v2', 'folder-pair'];

export type CaseSplit = 'training' | 'test';

export interface DatasetCase {
  /** Unique within the dataset: the image file name without extension (nnU-Net: without _0000). */
  id: string;
  /** Training cases have a label; test cases (MSD imagesTs, nnU-Net imagesTs) have none. */
  split: CaseSplit;
  /**
   * Image files, relative to `source.folder` with '/' separators. Either one file per channel in
   * channel order (nnU-Net), or one file that holds every channel (MSD 4D images, plain 3D images).
   */
  images: string[];
  /** Label file relative to `source.folder`; null for test cases. */
  label: string | null;
}

/** `<workspace>/dataset.json`: what was imported. Paths point into the source folder; nothing is copied. */
export interface DatasetJson {
  schemaVersion: 1;
  name: string;
  description: string;
  /** Channel names in channel order (MSD "modality", nnU-Net "channel_names"), e.g. ["T2", "ADC"]. */
  channels: string[];
  /** Label value (non-negative integer as a decimal string) -> name; "0" is the background. */
  labels: Record<string, string>;
  source: {
    /** Absolute path of the imported folder. */
    folder: string;
    /** The layout the cases were read from. */
    layout: DatasetLayout;
  };
  /** ISO 8601 time of the import. */
  importedAt: string;
  cases: DatasetCase[];
}

export const DATASET_SCHEMA_VERSION = 1;

function validateCase(value: unknown, at: string, errors: string[]): void {
  if (!isRecord(value)) {
    errors.push(`${at}: expected an object`);
    return;
  }
  if (typeof value['id'] !== 'string' || value['id'] === '') errors.push(`${at}.id: expected a non-empty string`);
  if (value['split'] !== 'training' && value['split'] !== 'test') errors.push(`${at}.split: expected 'training' or 'test'`);
  if (!isStringArray(value['images']) || value['images'].length === 0) errors.push(`${at}.images: expected a non-empty list of file paths`);
  if (value['label'] !== null && typeof value['label'] !== 'string') errors.push(`${at}.label: expected a file path or null`);
  if (value['split'] === 'training' && value['label'] === null) errors.push(`${at}.label: a training case needs a label file`);
}

/** Checks a dataset.json document of the current version; errors name each field at fault. */
export function validateDatasetJson(document: unknown): Validated<DatasetJson> {
  if (!isRecord(document)) return { ok: false, errors: ['dataset.json: expected a JSON object'] };
  const errors: string[] = [];
  if (document['schemaVersion'] !== DATASET_SCHEMA_VERSION) errors.push(`schemaVersion: expected ${DATASET_SCHEMA_VERSION}`);
  for (const key of ['name', 'description', 'importedAt'] as const) {
    if (typeof document[key] !== 'string') errors.push(`${key}: expected a string`);
  }
  if (!isStringArray(document['channels']) || document['channels'].length === 0) errors.push('channels: expected a non-empty list of channel names');
  const labels = document['labels'];
  if (!isRecord(labels)) {
    errors.push('labels: expected an object mapping label values to names');
  } else {
    for (const [key, name] of Object.entries(labels)) {
      if (!isLabelKey(key)) errors.push(`labels.${key}: label values must be non-negative integers`);
      if (typeof name !== 'string') errors.push(`labels.${key}: expected a name`);
    }
    if (!Object.hasOwn(labels, '0')) errors.push('labels: the background label 0 is missing');
  }
  const source = document['source'];
  if (!isRecord(source) || typeof source['folder'] !== 'string' || !['msd', 'nnunet-v2', 'folder-pair'].includes(source['layout'] as string)) {
    errors.push("source: expected { folder: string, layout: 'msd' | 'nnunet-v2' | 'folder-pair' }");
  }
  const cases = document['cases'];
  if (!Array.isArray(cases)) {
    errors.push('cases: expected a list');
  } else {
    cases.forEach((entry, index) => validateCase(entry, `cases[${index}]`, errors));
    const ids = cases.map((entry) => (isRecord(entry) ? entry['id'] : undefined));
    const repeated = ids.filter((id, index) => typeof id === 'string' && ids.indexOf(id) !== index);
    if (repeated.length > 0) errors.push(`cases: duplicate case ids ${[...new Set(repeated)].join(', ')}`);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: document as unknown as DatasetJson };
}

export const DATASET_FILE: FileKind<DatasetJson> = {
  fileName: 'dataset.json',
  currentVersion: DATASET_SCHEMA_VERSION,
  migrations: {},
  validate: validateDatasetJson,
};

/** Reads any version of a parsed dataset.json: migrates it to the current schema, then validates it. */
export const migrateDatasetJson = (document: unknown): Validated<DatasetJson> => migrateDocument(DATASET_FILE, document);
