/**
 * The 'import' job: check a dataset folder case by case, fingerprint it, and write dataset.json,
 * fingerprint.json and the integrity report (integrity.json) into the workspace, as
 * `voxnas dataset import` does. Idempotent: importing the same folder again rewrites the same files.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { IntegrityReport } from '../api/integrity.ts';
import { importCheckedDataset } from '../data/dataset-check.ts';
import { writeFileAtomic } from '../runtime/atomic-write.ts';
import { JobCancelledError, progress, type JobFunction } from './job-context.ts';
import { absolutePath, boolean, optional, readParams } from './job-params.ts';

/** The integrity report of the last import, next to dataset.json (what the dataset screen lists). */
export const INTEGRITY_FILE = 'integrity.json';

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

function refusal(report: IntegrityReport, casesWithErrors: number): string {
  const first = report.findings.find((finding) => finding.severity === 'error');
  const where = first?.case ? `${first.case}: ` : '';
  return (
    `${report.folder} has ${plural(report.errors, 'error')} and ${plural(report.warnings, 'warning')}, so nothing was imported` +
    (first ? ` (first: [${first.code}] ${where}${first.message}; ${first.hint})` : '') +
    `. Fix the files, or import again with force to leave out the ${plural(casesWithErrors, 'case')} with errors; ${INTEGRITY_FILE} in the workspace lists every finding.`
  );
}

export const runImportJob: JobFunction = async (rawParams, context) => {
  const params = readParams<{ source: string; force: boolean }>('import', rawParams, {
    source: absolutePath('the dataset folder (MSD, nnU-Net v2 raw, or images/ + labels/)'),
    force: optional(boolean, false),
  });
  context.emit(progress(0, `Checking ${params.source}`));
  let outcome;
  try {
    outcome = await importCheckedDataset(params.source, context.workspace, {
      force: params.force,
      signal: context.signal,
      onProgress: (done, total) => context.emit(progress(done / total, `Checked ${done} of ${total} cases`)),
    });
  } catch (error) {
    if (context.signal.aborted) throw new JobCancelledError('The import');
    throw error;
  }
  const { report } = outcome.check;
  await mkdir(context.workspace, { recursive: true });
  await writeFileAtomic(join(context.workspace, INTEGRITY_FILE), `${JSON.stringify(report, null, 2)}\n`);
  if (!outcome.imported || outcome.dataset === null) throw new Error(refusal(report, outcome.check.casesWithErrors.length));
  const left = outcome.excludedCases.length > 0 ? ` (left out ${outcome.excludedCases.length} with errors)` : '';
  context.emit(progress(1, `Imported ${plural(outcome.dataset.cases.length, 'case')}${left}`));
  return {
    dataset: outcome.dataset.name,
    cases: outcome.dataset.cases.length,
    excludedCases: outcome.excludedCases,
    errors: report.errors,
    warnings: report.warnings,
    written: [...outcome.written, join(context.workspace, INTEGRITY_FILE)],
  };
};
