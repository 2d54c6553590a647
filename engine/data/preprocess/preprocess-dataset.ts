import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetJson } from '../../api/dataset.ts';
import type { PlansJson } from '../../api/plans.ts';
import type { PreprocessedCaseJson, SourceStamp } from '../../api/preprocessed.ts';
import { InputError } from '../../io/input-error.ts';
import { writeFileAtomic } from '../../runtime/atomic-write.ts';
import { isCachedCaseValid } from './case-file.ts';
import { runCaseJob, type CaseJob } from './case-job.ts';
import type { CaseSettings } from './preprocess-case.ts';
import { childEntry, typescriptExecArgv } from '../../runtime/typescript-child.ts';

export interface PreprocessProgress {
  done: number;
  total: number;
  caseId: string;
  /** True when the case came from a valid cache entry. */
  reused: boolean;
}

export interface PreprocessOptions {
  /** Worker processes (default 2, one per core of the target machine); 0 runs in this process. */
  workers?: number;
  signal?: AbortSignal;
  onProgress?(progress: PreprocessProgress): void;
  /** The worker entry (default: preprocess-worker.ts next to this file; a bundled app passes its own). */
  workerModule?: string;
}

export interface PreprocessSummary {
  dataId: string;
  folder: string;
  cases: number;
  computed: number;
  reused: number;
  /** Processes that computed cases (0 = this one). */
  workers: number;
  seconds: number;
}


/** The folder of a plan's preprocessed cases. */
export const preprocessedFolder = (workspace: string, dataId: string): string => join(workspace, 'preprocessed', dataId);

export const caseSettings = (plans: PlansJson): CaseSettings => ({ dataId: plans.dataId, targetSpacing: plans.targetSpacing, preprocessing: plans.preprocessing, labelValues: plans.labelValues });

async function stampOf(folder: string, file: string): Promise<SourceStamp> {
  try {
    const info = await stat(join(folder, file));
    return { file, bytes: info.size, modifiedMs: Math.round(info.mtimeMs) };
  } catch {
    throw new InputError(join(folder, file), 'does not exist', "Import the dataset again ('voxnas dataset import').");
  }
}

/** The jobs of a dataset's training cases, in dataset.json order. */
export async function caseJobs(dataset: DatasetJson, plans: PlansJson, folder: string): Promise<CaseJob[]> {
  const root = dataset.source.folder;
  const settings = caseSettings(plans);
  return Promise.all(
    dataset.cases
      .filter((entry) => entry.split === 'training')
      .map(async (entry): Promise<CaseJob> => {
        const files = [...entry.images, ...(entry.label === null ? [] : [entry.label])];
        return {
          caseId: entry.id,
          imagePaths: entry.images.map((file) => join(root, file)),
          labelPath: entry.label === null ? null : join(root, entry.label),
          sources: await Promise.all(files.map((file) => stampOf(root, file))),
          folder,
          settings,
        };
      }),
  );
}

type WorkerReply = { type: 'done'; caseId: string; record: PreprocessedCaseJson } | { type: 'failed'; caseId: string; message: string; input: { file: string; problem: string; hint: string } | null };

/** Runs jobs in `count` forked processes, one case per process at a time; settles after every process has exited. */
function runInWorkers(jobs: CaseJob[], count: number, module: string, signal: AbortSignal | undefined, onDone: (job: CaseJob) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let finished = 0;
    let failure: unknown = null;
    let alive = count;
    const children: ChildProcess[] = [];
    const current = new Map<ChildProcess, CaseJob>();
    const fail = (error: unknown) => {
      if (failure !== null) return;
      failure = error;
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill();
    };
    const onAbort = () => fail(signal?.reason ?? new Error('preprocessing was cancelled'));
    const give = (child: ChildProcess) => {
      current.delete(child);
      if (failure !== null) return; // fail() has stopped every worker
      if (next < jobs.length) {
        const job = jobs[next++]!;
        current.set(child, job);
        child.send({ type: 'case', job });
      } else if (child.connected) child.send({ type: 'stop' });
    };
    const exited = (child: ChildProcess, code: number | null, exitSignal: NodeJS.Signals | null) => {
      alive -= 1;
      if (current.has(child)) fail(new Error(`a preprocessing worker stopped during case ${current.get(child)!.caseId} (exit code ${code}${exitSignal ? `, signal ${exitSignal}` : ''})`));
      if (alive > 0) return;
      signal?.removeEventListener('abort', onAbort);
      if (failure === null && finished < jobs.length) failure = new Error(`preprocessing workers stopped after ${finished} of ${jobs.length} cases`);
      if (failure !== null) reject(failure);
      else resolve();
    };
    signal?.addEventListener('abort', onAbort);
    for (let index = 0; index < count; index += 1) {
      const child = fork(module, [], { execArgv: typescriptExecArgv(module), stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      children.push(child);
      child.on('message', (reply: WorkerReply) => {
        const job = current.get(child);
        if (reply.type === 'failed') {
          fail(reply.input ? new InputError(reply.input.file, reply.input.problem, reply.input.hint) : new Error(`preprocessing case ${reply.caseId} failed: ${reply.message}`));
        } else if (job !== undefined && job.caseId === reply.caseId) {
          finished += 1;
          onDone(job);
        }
        give(child);
      });
      child.on('error', fail);
      child.on('exit', (code, exitSignal) => exited(child, code, exitSignal));
      give(child);
    }
  });
}

/**
 * Preprocesses a dataset's training cases into `<workspace>/preprocessed/<dataId>/`: reuses every
 * case whose cache entry was made for this dataId from the same files (size and modification time),
 * computes the rest in `workers` processes. The output does not depend on the number of workers.
 */
export async function preprocessDataset(workspace: string, dataset: DatasetJson, plans: PlansJson, options: PreprocessOptions = {}): Promise<PreprocessSummary> {
  const started = performance.now();
  const folder = preprocessedFolder(workspace, plans.dataId);
  await mkdir(folder, { recursive: true });
  await writeFileAtomic(join(folder, 'preprocessing.json'), `${JSON.stringify(caseSettings(plans), null, 2)}\n`);
  const jobs = await caseJobs(dataset, plans, folder);
  const total = jobs.length;
  let done = 0;
  const report = (caseId: string, reused: boolean) => {
    done += 1;
    options.onProgress?.({ done, total, caseId, reused });
  };
  const pending: CaseJob[] = [];
  for (const job of jobs) {
    options.signal?.throwIfAborted();
    if (await isCachedCaseValid(folder, job.caseId, plans.dataId, job.sources)) report(job.caseId, true);
    else pending.push(job);
  }
  const module = options.workerModule ?? childEntry(import.meta.url, 'preprocess-worker').entry;
  // Where the worker entry is not on disk (a bundle that did not ship it), work in this process.
  const workers = existsSync(module) ? Math.min(options.workers ?? 2, pending.length) : 0;
  if (workers <= 0) {
    for (const job of pending) {
      options.signal?.throwIfAborted();
      await runCaseJob(job);
      report(job.caseId, false);
    }
  } else {
    await runInWorkers(pending, workers, module, options.signal, (job) => report(job.caseId, false));
  }
  return { dataId: plans.dataId, folder, cases: total, computed: pending.length, reused: total - pending.length, workers, seconds: Math.round(performance.now() - started) / 1000 };
}
