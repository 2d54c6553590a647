/**
 * Datasets: 'dataset.import' starts an import job in the worker (check, fingerprint, write
 * dataset.json, fingerprint.json and integrity.json); 'dataset.get' summarizes those files and
 * plans.json for the renderer. Reading goes through the engine's validated readers.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FingerprintJson } from '../../engine/api/fingerprint.ts';
import type { IntegrityFinding, IntegrityReport } from '../../engine/api/integrity.ts';
import { isInputError, migrateFingerprintJson, readDatasetFile, readPlansFile } from '../../engine/index.ts';
import { ContractError } from '../contract/errors.ts';
import type { DatasetSummary, IntegrityProblemSummary, JobInfo } from '../contract/index.ts';
import type { JobService } from './job-port.ts';
import { isRecord, readJsonOrNull } from './json-files.ts';
import { localPath, type Workspaces } from './workspaces.ts';

/** Written by the import job (engine/jobs/import-job.ts) next to dataset.json. */
export const INTEGRITY_FILE = 'integrity.json';

export interface Datasets {
  import(workspace: string, source: string): Promise<JobInfo>;
  get(workspace: string): Promise<DatasetSummary | null>;
}

const exists = (path: string) => stat(path).then(() => true, () => false);

/** Engine file errors (InputError: file, problem, what to do) as contract errors. */
async function readWorkspaceFile<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (isInputError(error)) throw new ContractError('failed', error.message);
    throw error;
  }
}

async function readFingerprint(folder: string): Promise<FingerprintJson | null> {
  const path = join(folder, 'fingerprint.json');
  const document = await readJsonOrNull(path, 'Import the dataset again to rewrite it.');
  if (document === null) return null;
  const migrated = migrateFingerprintJson(document);
  if (!migrated.ok) throw new ContractError('failed', `${path} is not valid: ${migrated.errors.join('; ')}. Import the dataset again to rewrite it.`);
  return migrated.value;
}

const withoutPeriod = (text: string) => text.replace(/\.$/, '');

function problem(finding: IntegrityFinding): IntegrityProblemSummary {
  const file = finding.file ? ` (${finding.file})` : '';
  return { severity: finding.severity, caseId: finding.case, message: `${withoutPeriod(finding.message)}${file}. ${finding.hint}` };
}

/** integrity.json as the import job wrote it; the engine has no validator for it, so only its counts and findings are trusted. */
async function readIntegrity(folder: string): Promise<DatasetSummary['integrity']> {
  const path = join(folder, INTEGRITY_FILE);
  const document = await readJsonOrNull(path, 'Import the dataset again to rewrite it.');
  if (document === null) return null;
  if (!isRecord(document) || typeof document['errors'] !== 'number' || typeof document['warnings'] !== 'number' || !Array.isArray(document['findings'])) {
    throw new ContractError('failed', `${path} is not an integrity report (expected errors, warnings and findings). Import the dataset again to rewrite it.`);
  }
  const report = document as unknown as IntegrityReport;
  return { ok: report.errors === 0, errors: report.errors, warnings: report.warnings, problems: report.findings.map(problem) };
}

export function createDatasets(workspaces: Workspaces, jobs: JobService): Datasets {
  return {
    async import(workspace, source) {
      const folder = await workspaces.check(workspace);
      const sourceFolder = localPath(source, 'source');
      const info = await stat(sourceFolder).catch(() => null);
      if (info === null || !info.isDirectory()) {
        throw new ContractError('not-found', `${sourceFolder} ${info === null ? 'does not exist' : 'is a file'}: choose the dataset folder (an MSD task, an nnU-Net raw dataset, or a folder with images/ and labels/).`);
      }
      return jobs.start(folder, 'import', { source: sourceFolder });
    },

    async get(workspace) {
      const folder = await workspaces.check(workspace);
      if (!(await exists(join(folder, 'dataset.json')))) return null;
      const dataset = await readWorkspaceFile(() => readDatasetFile(folder));
      const [fingerprint, integrity, plans] = await Promise.all([
        readFingerprint(folder),
        readIntegrity(folder),
        (async () => ((await exists(join(folder, 'plans.json'))) ? readWorkspaceFile(() => readPlansFile(folder)) : null))(),
      ]);
      const measured = new Map((fingerprint?.cases ?? []).map((entry) => [entry.id, entry]));
      return {
        workspace: folder,
        name: dataset.name,
        layout: dataset.source.layout,
        source: dataset.source.folder,
        importedAt: dataset.importedAt,
        channels: dataset.channels,
        labels: dataset.labels,
        cases: dataset.cases.map((entry) => ({
          caseId: entry.id,
          hasLabel: entry.label !== null,
          shape: measured.get(entry.id)?.dims ?? null,
          spacing: measured.get(entry.id)?.spacing ?? null,
        })),
        integrity,
        fingerprint: fingerprint && { medianSpacing: fingerprint.medianSpacing, medianShape: fingerprint.medianDims, caseCount: fingerprint.caseCount },
        plans: plans && { targetSpacing: plans.targetSpacing, patchSize: plans.patchSize, batchSize: plans.batchSize },
      };
    },
  };
}
