/**
 * The job service: a FIFO queue of jobs run one at a time in the job worker, persisted in each
 * workspace (main/jobs/job-files.ts) so that a restarted app sees every job and its events.
 * - A worker that dies while a job runs leaves the job 'interrupted'; the next job gets a new worker.
 * - cancel: a queued job is cancelled at once; a running one is asked to stop and its worker is
 *   killed when it has not confirmed within the grace time.
 * - resume: an interrupted, cancelled or failed job runs again with the same id and params (the
 *   engine's jobs are resumable or idempotent); its events continue the same seq.
 * - A job found 'running' or 'queued' on disk that this service does not run was cut off by a
 *   previous app session: it is 'interrupted'; unless its owner.json names another live VoxNAS
 *   process (the desktop app and `npm run serve` on one workspace): then it is shown as it is, read
 *   from disk each time, and cannot be cancelled or resumed here.
 * No electron here: the Electron main process and the browser-mode server both use it.
 */
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { WorkerJobEvent, WorkerReply } from '../../engine/api/worker-messages.ts';
import type { JobEvent, JobInfo, JobKind, JobStatus } from '../contract/index.ts';
import { ContractError } from '../contract/errors.ts';
import { join } from 'node:path';
import { appendJobEvents, endTornEventLine, jobFolder, listJobIds, otherLiveOwner, readJobEvents, readJobFile, removeJobOwner, writeJobFile, writeJobOwner, type JobOwner } from './job-files.ts';
import type { JobService } from '../services/job-port.ts';
import type { WorkerHost, WorkerHostFactory } from './worker-host.ts';

export type { JobService };

export interface JobServiceOptions {
  host: WorkerHostFactory;
  /** Workspaces to look in for a job id this service has not seen yet (e.g. the recent workspaces). */
  knownWorkspaces?: () => Promise<string[]>;
  /** How long a running job has to confirm a cancel before its worker is killed (default 10 s). */
  cancelGraceMs?: number;
}

const TERMINAL: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled', 'interrupted'];
const RESUMABLE: readonly JobStatus[] = ['interrupted', 'cancelled', 'failed'];

/** One job this service knows: its info, the last seq written, and a chain that orders its file writes. */
interface JobRecord {
  info: JobInfo;
  lastSeq: number;
  writes: Promise<void>;
  jsonQueued: boolean;
  /** Resolved whenever the job reaches a terminal status. */
  settledWaiters: (() => void)[];
  /** Another live VoxNAS process queued or runs this job: shown read-only, never cached. */
  otherOwner?: JobOwner;
}

/** The job running now and the worker it runs in. */
interface Running {
  record: JobRecord;
  /** Null while the worker starts. */
  worker: WorkerHost | null;
  cancelRequested: boolean;
  killTimer: NodeJS.Timeout | null;
}

const now = () => new Date().toISOString();
const copy = (info: JobInfo): JobInfo => structuredClone(info);

function newJobId(kind: JobKind): string {
  const stamp = now().replace(/[-:]/g, '').replace(/\.\d+Z$/, '');
  return `${kind}-${stamp}-${randomBytes(3).toString('hex')}`;
}

function describeExit(code: number | null, signal: string | null): string {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

export function createJobService(options: JobServiceOptions): JobService {
  const cancelGraceMs = options.cancelGraceMs ?? 10_000;
  const records = new Map<string, JobRecord>();
  const loading = new Map<string, Promise<JobRecord | null>>();
  const queue: JobRecord[] = [];
  const listeners = new Set<(event: JobEvent) => void>();
  let worker: WorkerHost | null = null;
  let running: Running | null = null;
  let closed = false;

  // ---- persistence: every write of one job goes through its chain, in order ----

  const enqueue = (record: JobRecord, write: () => Promise<void>): void => {
    record.writes = record.writes.then(write).catch((error: unknown) => {
      process.stderr.write(`VoxNAS: could not write the files of job ${record.info.id} in ${record.info.workspace}: ${(error as Error).message}\n`);
    });
  };

  /** job.json is written once per burst of changes (a chain step writes the latest info). */
  const saveInfo = (record: JobRecord): void => {
    if (record.jsonQueued) return;
    record.jsonQueued = true;
    enqueue(record, async () => {
      record.jsonQueued = false;
      await writeJobFile(copy(record.info));
    });
  };

  const emit = (record: JobRecord, fields: Omit<JobEvent, 'jobId' | 'seq' | 'time'>): void => {
    record.lastSeq += 1;
    const event: JobEvent = { jobId: record.info.id, seq: record.lastSeq, time: now(), ...fields };
    enqueue(record, async () => {
      try {
        await appendJobEvents(record.info.workspace, [event]);
      } finally {
        for (const listener of listeners) listener(event);
      }
    });
  };

  const setStatus = (record: JobRecord, status: JobStatus, changes: Partial<Pick<JobInfo, 'error' | 'result' | 'progress'>> = {}, message?: string): void => {
    Object.assign(record.info, changes, { status, updatedAt: now() });
    emit(record, { type: 'status', status, ...(message !== undefined ? { message } : {}) });
    saveInfo(record);
    if (TERMINAL.includes(status)) {
      enqueue(record, () => removeJobOwner(record.info.workspace, record.info.id));
      for (const resolve of record.settledWaiters.splice(0)) resolve();
    }
  };

  /** Marks the job as this process's before it is queued (start, resume). */
  const own = (record: JobRecord): void => enqueue(record, () => writeJobOwner(record.info.workspace, record.info.id));

  const refuseOtherOwner = (record: JobRecord): void => {
    const owner = record.otherOwner;
    if (!owner) return;
    throw new ContractError('conflict', `Job ${record.info.id} is ${record.info.status} in another VoxNAS process (pid ${owner.pid} on ${owner.hostname}, since ${owner.since}); cancel or follow it in that window. If that process is gone, delete ${join(jobFolder(record.info.workspace, record.info.id), 'owner.json')} and try again.`);
  };

  // ---- finding jobs: in memory, else on disk ----

  /** Reads a job from disk once; a job left 'running' or 'queued' by an earlier session becomes 'interrupted'. */
  const load = (workspace: string, jobId: string): Promise<JobRecord | null> => {
    const known = records.get(jobId);
    if (known) return Promise.resolve(known);
    const pending = loading.get(jobId);
    if (pending) return pending;
    const promise = (async () => {
      const info = await readJobFile(workspace, jobId);
      if (info === null) return null;
      const events = await readJobEvents(workspace, jobId);
      const record: JobRecord = { info, lastSeq: events.reduce((last, event) => Math.max(last, event.seq), 0), writes: Promise.resolve(), jsonQueued: false, settledWaiters: [] };
      if (info.status === 'running' || info.status === 'queued') {
        const owner = await otherLiveOwner(workspace, jobId);
        if (owner) return { ...record, otherOwner: owner };
      }
      records.set(jobId, record);
      await endTornEventLine(workspace, jobId);
      if (info.status === 'running' || info.status === 'queued') {
        const was = info.status;
        const error = `VoxNAS stopped while this job was ${was}. Resume it to continue from what it saved.`;
        setStatus(record, 'interrupted', { error, progress: { ...info.progress, etaSeconds: null } }, error);
      }
      return record;
    })().finally(() => loading.delete(jobId));
    loading.set(jobId, promise);
    return promise;
  };

  const find = async (jobId: string): Promise<JobRecord> => {
    const known = records.get(jobId);
    if (known) return known;
    for (const workspace of (await options.knownWorkspaces?.()) ?? []) {
      const record = await load(workspace, jobId);
      if (record) return record;
    }
    throw new ContractError('not-found', `There is no job '${jobId}' in the open workspaces. List the workspace's jobs (jobs.list) to see their ids.`);
  };

  // ---- running: one job at a time, one worker, a fresh one after a crash ----

  const finish = (current: Running, status: JobStatus, changes: Partial<Pick<JobInfo, 'error' | 'result' | 'progress'>>, message: string): void => {
    if (running !== current) return;
    if (current.killTimer) clearTimeout(current.killTimer);
    running = null;
    setStatus(current.record, status, changes, message);
    void pump();
  };

  const onWorkerMessage = (host: WorkerHost, message: WorkerReply): void => {
    const current = running;
    if (current === null || current.worker !== host || !('jobId' in message) || message.jobId !== current.record.info.id) {
      if (message.type === 'error') process.stderr.write(`VoxNAS job worker: ${message.message}\n`);
      return;
    }
    const { record } = current;
    switch (message.type) {
      case 'job.event':
        onJobEvent(record, message.event);
        return;
      case 'job.done':
        finish(current, 'succeeded', { result: message.result, error: null, progress: { fraction: 1, message: 'Done', etaSeconds: null } }, 'The job succeeded');
        return;
      case 'job.failed':
        if (message.cancelled || current.cancelRequested) finish(current, 'cancelled', { error: null, progress: { ...record.info.progress, etaSeconds: null } }, message.message);
        else finish(current, 'failed', { error: message.message, progress: { ...record.info.progress, etaSeconds: null } }, message.message);
        return;
    }
  };

  const onJobEvent = (record: JobRecord, event: WorkerJobEvent): void => {
    if (event.type === 'progress') {
      record.info.progress = { fraction: event.fraction ?? null, message: event.message ?? record.info.progress.message, etaSeconds: event.etaSeconds ?? null };
      record.info.updatedAt = now();
      saveInfo(record);
    }
    const { type, fraction, message, etaSeconds, data } = event;
    emit(record, { type, ...(fraction !== undefined && { fraction }), ...(message !== undefined && { message }), ...(etaSeconds !== undefined && { etaSeconds }), ...(data !== undefined && { data }) });
  };

  const onWorkerExit = (host: WorkerHost, code: number | null, signal: string | null): void => {
    if (worker === host) worker = null;
    const current = running;
    if (current === null || current.worker !== host) return;
    const how = describeExit(code, signal);
    if (current.cancelRequested) {
      finish(current, 'cancelled', { error: null }, `The job was cancelled; its worker was stopped (${how})`);
    } else {
      const error = `The job worker stopped (${how}) while this job ran. Resume the job to continue from what it saved.`;
      finish(current, 'interrupted', { error, progress: { ...current.record.info.progress, etaSeconds: null } }, error);
    }
  };

  const startWorker = async (): Promise<WorkerHost> => {
    if (worker) return worker;
    const host = await options.host.start();
    if (closed) {
      host.kill();
      throw new Error('The job service was closed while its worker started.');
    }
    host.onMessage((message) => onWorkerMessage(host, message));
    host.onExit((code, signal) => onWorkerExit(host, code, signal));
    worker = host;
    return host;
  };

  const pump = async (): Promise<void> => {
    if (running !== null || closed) return;
    // A job cancelled while queued has left the queue already; skip anything no longer queued anyway.
    let record = queue.shift();
    while (record && record.info.status !== 'queued') record = queue.shift();
    if (!record) return;
    // Running from here on (a cancel during the worker's start is honoured before the job is sent).
    const current: Running = { record, worker: null, cancelRequested: false, killTimer: null };
    running = current;
    setStatus(record, 'running', { progress: { fraction: null, message: 'Starting', etaSeconds: null } });
    let host: WorkerHost;
    try {
      host = await startWorker();
    } catch (error) {
      finish(current, 'failed', { error: (error as Error).message }, (error as Error).message);
      return;
    }
    if (running !== current) return; // closed meanwhile
    if (current.cancelRequested) {
      finish(current, 'cancelled', {}, 'Cancelled before it started');
      return;
    }
    current.worker = host;
    const { id, kind, workspace, params } = record.info;
    host.send({ type: 'job.run', jobId: id, kind, workspace, params });
  };

  const settled = (record: JobRecord): Promise<void> =>
    TERMINAL.includes(record.info.status) ? Promise.resolve() : new Promise((resolve) => record.settledWaiters.push(resolve));

  // ---- the service ----

  return {
    async start(workspace, kind, params) {
      if (closed) throw new ContractError('conflict', 'The job service is shutting down; start the job again after VoxNAS restarts.');
      const folder = await stat(workspace).catch(() => null);
      if (!folder?.isDirectory()) throw new ContractError('not-found', `The workspace folder ${workspace} does not exist. Create or open a workspace first.`);
      const time = now();
      const info: JobInfo = { id: newJobId(kind), kind, workspace, params, status: 'queued', createdAt: time, updatedAt: time, progress: { fraction: null, message: 'Queued', etaSeconds: null }, error: null, result: null };
      const record: JobRecord = { info, lastSeq: 0, writes: Promise.resolve(), jsonQueued: false, settledWaiters: [] };
      records.set(info.id, record);
      own(record);
      emit(record, { type: 'status', status: 'queued' });
      saveInfo(record);
      // In the queue at once (a cancel that comes before the answer finds it there), and on disk
      // before the caller hears of it: a job that is listed can always be found again.
      const answer = copy(record.info);
      queue.push(record);
      void pump();
      await record.writes;
      return answer;
    },

    async cancel(jobId) {
      const record = await find(jobId);
      refuseOtherOwner(record);
      const { status } = record.info;
      if (status === 'queued') {
        const index = queue.indexOf(record);
        if (index >= 0) queue.splice(index, 1);
        setStatus(record, 'cancelled', { progress: { ...record.info.progress, message: 'Cancelled before it started' } }, 'Cancelled before it started');
      } else if (status === 'interrupted') {
        setStatus(record, 'cancelled', {}, 'Cancelled after it was interrupted');
      } else if (status === 'running' && running?.record === record) {
        const current = running;
        if (!current.cancelRequested) {
          current.cancelRequested = true;
          const host = current.worker;
          if (host) {
            host.send({ type: 'job.cancel', jobId });
            current.killTimer = setTimeout(() => host.kill(), cancelGraceMs);
          }
        }
        await settled(record);
      } else {
        throw new ContractError('conflict', `Job ${jobId} has already ${status === 'succeeded' ? 'succeeded' : status === 'failed' ? 'failed' : 'been cancelled'}; there is nothing to cancel.`);
      }
      await record.writes;
      return copy(record.info);
    },

    async resume(jobId) {
      if (closed) throw new ContractError('conflict', 'The job service is shutting down; resume the job after VoxNAS restarts.');
      const record = await find(jobId);
      refuseOtherOwner(record);
      if (!RESUMABLE.includes(record.info.status)) {
        throw new ContractError('conflict', `Job ${jobId} is ${record.info.status}; only interrupted, cancelled or failed jobs can be resumed.`);
      }
      own(record);
      setStatus(record, 'queued', { error: null, result: null, progress: { fraction: null, message: 'Queued (resumed)', etaSeconds: null } }, 'Resumed');
      const answer = copy(record.info);
      queue.push(record);
      void pump();
      await record.writes;
      return answer;
    },

    async list(workspace) {
      const ids = await listJobIds(workspace);
      const found = await Promise.all(ids.map((id) => load(workspace, id)));
      const jobs = found.filter((record): record is JobRecord => record !== null);
      await Promise.all(jobs.map((record) => record.writes));
      return jobs.map((record) => copy(record.info)).sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
    },

    async get(jobId) {
      const record = await find(jobId);
      return copy(record.info);
    },

    async events(jobId, since = 0) {
      const record = await find(jobId);
      await record.writes;
      return (await readJobEvents(record.info.workspace, jobId)).filter((event) => event.seq > since);
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async close() {
      if (closed) return;
      closed = true;
      const current = running;
      if (current) {
        const error = 'VoxNAS was closed while this job ran. Resume it to continue from what it saved.';
        finish(current, 'interrupted', { error, progress: { ...current.record.info.progress, etaSeconds: null } }, error);
      }
      const host = worker;
      worker = null;
      if (host) {
        const exited = new Promise<void>((resolve) => host.onExit(() => resolve()));
        host.send({ type: 'shutdown' });
        const timer = setTimeout(() => host.kill(), 5_000);
        await exited;
        clearTimeout(timer);
      }
      // Queued jobs stay 'queued' on disk: the next session lists them as interrupted.
      await Promise.all([...records.values()].map((record) => record.writes));
    },
  };
}
