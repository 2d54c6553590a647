/**
 * Fixtures for the services' tests: a fake JobService that records what it was asked (the real one
 * runs a worker; main/jobs has its own tests), and a real workspace imported from resources/sample
 * the way the import job does it (dataset.json, fingerprint.json, integrity.json).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCheckedDataset, sampleDatasetDir } from '../../../engine/index.ts';
import type { JobEvent, JobInfo, JobKind } from '../../../main/contract/index.ts';
import { ContractError } from '../../../main/contract/errors.ts';
import type { JobService } from '../../../main/services/job-port.ts';

export interface FakeJobService extends JobService {
  /** Every start call, in order. */
  started: { workspace: string; kind: JobKind; params: Record<string, unknown> }[];
  /** Sends an event to the subscribers, as the worker's host would. */
  emit(event: JobEvent): void;
}

export function fakeJobService(): FakeJobService {
  const jobs = new Map<string, JobInfo>();
  const listeners = new Set<(event: JobEvent) => void>();
  const started: FakeJobService['started'] = [];
  const find = async (jobId: string) => {
    const job = jobs.get(jobId);
    if (!job) throw new ContractError('not-found', `There is no job '${jobId}'.`);
    return job;
  };
  return {
    started,
    emit: (event) => listeners.forEach((listener) => listener(event)),
    async start(workspace, kind, params) {
      started.push({ workspace, kind, params });
      const time = new Date(0).toISOString();
      const job: JobInfo = { id: `job-${started.length}`, kind, workspace, params, status: 'queued', createdAt: time, updatedAt: time, progress: { fraction: null, message: 'Queued', etaSeconds: null }, error: null, result: null };
      jobs.set(job.id, job);
      return job;
    },
    cancel: async (jobId) => ({ ...(await find(jobId)), status: 'cancelled' }),
    resume: async (jobId) => ({ ...(await find(jobId)), status: 'queued' }),
    list: async (workspace) => [...jobs.values()].filter((job) => job.workspace === workspace),
    get: find,
    events: async (jobId, since = 0) => {
      await find(jobId);
      return [{ jobId, seq: 1, time: new Date(0).toISOString(), type: 'status' as const, status: 'queued' as const }].filter((event) => event.seq > since);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: async () => undefined,
  };
}

/** A temporary folder, removed by `cleanup`. */
export async function temporaryFolder(prefix = 'voxnas-services-'): Promise<{ folder: string; cleanup: () => Promise<void> }> {
  const folder = await mkdtemp(join(tmpdir(), prefix));
  return { folder, cleanup: () => rm(folder, { recursive: true, force: true }) };
}

/** Imports the bundled sample into `workspace` as the import job does (the engine function + integrity.json). */
export async function importSample(workspace: string): Promise<void> {
  const outcome = await importCheckedDataset(sampleDatasetDir(), workspace);
  if (!outcome.imported) throw new Error(`The bundled sample did not import: ${outcome.check.report.errors} errors.`);
  await writeFile(join(workspace, 'integrity.json'), JSON.stringify(outcome.check.report));
}
