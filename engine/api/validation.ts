/**
 * Small building blocks for validating and migrating the workspace's JSON files. Validation returns
 * errors as values: a list of sentences, each naming the field at fault (`cases[3].label`).
 */
export type Validated<T> = { ok: true; value: T } | { ok: false; errors: string[] };

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

export const isTriple = (value: unknown): value is [number, number, number] => Array.isArray(value) && value.length === 3 && value.every((item) => typeof item === 'number' && Number.isFinite(item));

/** A label value as a JSON key: a non-negative integer in plain decimal ("0", "1", "12"). */
export const isLabelKey = (key: string): boolean => /^(0|[1-9]\d{0,8})$/.test(key);

/**
 * One file kind's versioning: `migrations[n]` turns a version-n document into version n + 1; the
 * result of the last step is validated. A document from a newer VoxNAS is refused, not guessed at.
 */
export interface FileKind<T> {
  /** File name in the workspace, e.g. 'dataset.json'. */
  fileName: string;
  currentVersion: number;
  migrations: Record<number, (document: Record<string, unknown>) => Record<string, unknown>>;
  validate(document: unknown): Validated<T>;
}

/** Brings a parsed JSON document of one file kind to the current schema version and validates it. */
export function migrateDocument<T>(kind: FileKind<T>, document: unknown): Validated<T> {
  if (!isRecord(document)) return { ok: false, errors: [`${kind.fileName}: expected a JSON object`] };
  const version = document['schemaVersion'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { ok: false, errors: [`${kind.fileName}: schemaVersion must be a positive integer, got ${JSON.stringify(version)}`] };
  }
  if (version > kind.currentVersion) {
    return { ok: false, errors: [`${kind.fileName}: schemaVersion ${version} was written by a newer VoxNAS (this one reads up to ${kind.currentVersion}); update VoxNAS`] };
  }
  let migrated = document;
  for (let step = version; step < kind.currentVersion; step += 1) {
    const migration = kind.migrations[step];
    if (!migration) return { ok: false, errors: [`${kind.fileName}: no migration from schemaVersion ${step}`] };
    migrated = { ...migration(migrated), schemaVersion: step + 1 };
  }
  return kind.validate(migrated);
}
