import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetJson } from '../api/dataset.ts';
import { FINGERPRINT_FILE, type FingerprintJson } from '../api/fingerprint.ts';
import type { IntegrityReport } from '../api/integrity.ts';
import { effectiveChannels, effectiveLabels, importDataset } from '../io/dataset/import-dataset.ts';
import { checkIntegrity, type IntegrityOptions } from '../io/dataset/integrity.ts';
import { readDatasetLayout } from '../io/dataset/layouts.ts';
import type { DatasetListing } from '../io/dataset/listing.ts';
import { writeFileAtomic } from '../runtime/atomic-write.ts';
import { aggregateFingerprint, foregroundSampleBudget, measureCase, type CaseMeasurement } from './fingerprint.ts';

export interface DatasetCheck {
  listing: DatasetListing;
  report: IntegrityReport;
  /** Measured on the training cases without error-level findings. */
  fingerprint: FingerprintJson;
  /** Case ids with at least one error-level finding. */
  casesWithErrors: string[];
  seconds: number;
}

export type CheckOptions = Pick<IntegrityOptions, 'concurrency' | 'signal' | 'onProgress'> & { createdAt?: string };

/**
 * Lists a dataset folder, checks every case and fingerprints the training cases, reading each file
 * once. Throws InputError only when the folder holds no dataset; bad files are findings.
 */
export async function checkDataset(folder: string, options: CheckOptions = {}): Promise<DatasetCheck> {
  const started = performance.now();
  const listing = await readDatasetLayout(folder);
  const training = listing.cases.filter((entry) => entry.split === 'training');
  const maxSamples = foregroundSampleBudget(training.length);
  const measurements: (CaseMeasurement | undefined)[] = new Array(listing.cases.length);
  const report = await checkIntegrity(listing, {
    ...options,
    onCase(entry, index, volumes) {
      if (entry.split === 'training' && volumes.label !== null) measurements[index] = measureCase(entry.id, volumes.images, volumes.label, { maxSamples });
    },
  });
  const casesWithErrors = [...new Set(report.findings.filter((finding) => finding.severity === 'error' && finding.case !== null).map((finding) => finding.case!))];
  const failed = new Set(casesWithErrors);
  const measured = measurements.filter((entry): entry is CaseMeasurement => entry !== undefined && !failed.has(entry.id));
  const measuredIds = new Set(measured.map((entry) => entry.id));
  const fingerprint = aggregateFingerprint(measured, {
    channels: effectiveChannels(listing, report),
    labels: effectiveLabels(listing, report),
    excludedCases: training.filter((entry) => !measuredIds.has(entry.id)).map((entry) => entry.id),
    ...(options.createdAt === undefined ? {} : { createdAt: options.createdAt }),
  });
  return { listing, report, fingerprint, casesWithErrors, seconds: (performance.now() - started) / 1000 };
}

export interface ImportOutcome {
  check: DatasetCheck;
  /** False when refused: error-level findings and no `force`. */
  imported: boolean;
  dataset: DatasetJson | null;
  /** Cases left out of dataset.json because they have error-level findings (forced import). */
  excludedCases: string[];
  /** Files written into the workspace. */
  written: string[];
}

/**
 * Checks the folder, then writes dataset.json and fingerprint.json into the workspace. With
 * error-level findings it writes nothing, unless `force`: then the cases with errors are left out.
 */
export async function importCheckedDataset(folder: string, workspace: string, options: CheckOptions & { force?: boolean } = {}): Promise<ImportOutcome> {
  const check = await checkDataset(folder, options);
  if (check.report.errors > 0 && !options.force) return { check, imported: false, dataset: null, excludedCases: [], written: [] };
  const exclude = new Set(check.casesWithErrors);
  const dataset = await importDataset(folder, workspace, { listing: check.listing, report: check.report, exclude });
  await mkdir(workspace, { recursive: true });
  const fingerprintPath = join(workspace, FINGERPRINT_FILE.fileName);
  await writeFileAtomic(fingerprintPath, `${JSON.stringify(check.fingerprint, null, 2)}\n`);
  return { check, imported: true, dataset, excludedCases: [...exclude], written: [join(workspace, 'dataset.json'), fingerprintPath] };
}
