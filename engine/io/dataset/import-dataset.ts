import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DATASET_FILE, DATASET_SCHEMA_VERSION, validateDatasetJson, type DatasetJson } from '../../api/dataset.ts';
import type { IntegrityReport } from '../../api/integrity.ts';
import { writeFileAtomic } from '../../runtime/atomic-write.ts';
import { InputError } from '../input-error.ts';
import { readDatasetLayout } from './layouts.ts';
import type { DatasetListing } from './listing.ts';

/** Channel names: declared, else "image" / "channel 0", "channel 1", ... for the count the check found. */
export function effectiveChannels(listing: DatasetListing, report?: IntegrityReport): string[] {
  if (listing.channels !== null) return listing.channels;
  const count = report?.channels ?? 1;
  return count === 1 ? ['image'] : Array.from({ length: count }, (_, channel) => `channel ${channel}`);
}

/** Labels: declared, else the values the check found in the label files ("label 1", ...). */
export function effectiveLabels(listing: DatasetListing, report?: IntegrityReport): Record<string, string> {
  if (listing.labels !== null) return listing.labels;
  const values = [...new Set([0, ...(report?.labelValues ?? []).filter((value) => value >= 0)])].sort((a, b) => a - b);
  return Object.fromEntries(values.map((value) => [String(value), value === 0 ? 'background' : `label ${value}`]));
}

export interface ImportOptions {
  /** A listing already read (e.g. by the check), so the folder is not listed twice. */
  listing?: DatasetListing;
  /** The integrity report, for what the layout does not declare (folder pair: channels, labels). */
  report?: IntegrityReport;
  /** Case ids to leave out (e.g. cases with error-level findings, on a forced import). */
  exclude?: ReadonlySet<string>;
  /** Import time (tests pass a fixed one). */
  now?: Date;
}

/**
 * Writes `<workspace>/dataset.json` (atomically) describing the source folder's cases; the files stay
 * where they are. Cases that cannot be trained on as listed (no image, a training case without a
 * label) are left out: the integrity check reports them.
 */
export async function importDataset(sourceFolder: string, workspaceFolder: string, options: ImportOptions = {}): Promise<DatasetJson> {
  const listing = options.listing ?? (await readDatasetLayout(sourceFolder));
  const usable = listing.cases.filter((entry) => entry.images.length > 0 && (entry.split === 'test' || entry.label !== null) && !options.exclude?.has(entry.id));
  const dataset: DatasetJson = {
    schemaVersion: DATASET_SCHEMA_VERSION,
    name: listing.name,
    description: listing.description,
    channels: effectiveChannels(listing, options.report),
    labels: effectiveLabels(listing, options.report),
    source: { folder: resolve(listing.folder), layout: listing.layout },
    importedAt: (options.now ?? new Date()).toISOString(),
    cases: usable.map((entry) => ({ id: entry.id, split: entry.split, images: [...entry.images], label: entry.label })),
  };
  const validated = validateDatasetJson(dataset);
  if (!validated.ok) throw new InputError(listing.folder, `cannot be imported (${validated.errors.join('; ')})`, "Fix the errors that 'voxnas dataset check' reports.");
  await mkdir(workspaceFolder, { recursive: true });
  await writeFileAtomic(join(workspaceFolder, DATASET_FILE.fileName), `${JSON.stringify(dataset, null, 2)}\n`);
  return dataset;
}
