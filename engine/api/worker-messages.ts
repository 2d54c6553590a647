/**
 * Messages between the main process (or the browser-mode server) and the job worker: plain JSON,
 * the same over an Electron MessagePort and over child_process IPC. The worker runs one job at a
 * time; the host (main/jobs/job-service.ts) queues the rest and persists every job and event.
 */

/** What a job does; each kind is one module under engine/jobs/. */
export type WorkerJobKind = 'import' | 'plan' | 'train' | 'search' | 'predict' | 'export' | 'evaluate';
export const WORKER_JOB_KINDS: readonly WorkerJobKind[] = ['import', 'plan', 'train', 'search', 'predict', 'export', 'evaluate'];

/**
 * What a running job reports. The host adds the job id, a sequence number and the time.
 * 'progress': fraction of the work done (null when unknown), a short message, seconds left (null when unknown).
 * 'log': a line worth keeping. 'engine': the engine's own event object (training step, validation, search trial) in `data`.
 */
export interface WorkerJobEvent {
  type: 'progress' | 'log' | 'engine';
  fraction?: number | null;
  message?: string;
  etaSeconds?: number | null;
  data?: unknown;
}

export type WorkerRequest =
  /** Ask the worker to report itself; it answers `ready` with the same id. */
  | { type: 'hello'; id: string }
  /** Run a job; answered by `job.event`s, then `job.done` or `job.failed` (or `error` when the worker is busy). */
  | { type: 'job.run'; jobId: string; kind: WorkerJobKind; workspace: string; params: Record<string, unknown> }
  /** Stop the running job as soon as it can; it ends with `job.failed` and `cancelled: true`. */
  | { type: 'job.cancel'; jobId: string }
  /** Cancel the running job (if any), let it finish its bookkeeping, and exit. */
  | { type: 'shutdown' };

export type WorkerReply =
  | { type: 'ready'; id: string; pid: number; node: string; engineVersion: string; transport: WorkerTransportKind }
  /** A request the worker could not take; `message` says why and what to do. `id` is the request's id or job id. */
  | { type: 'error'; id: string | null; message: string }
  | { type: 'job.event'; jobId: string; event: WorkerJobEvent }
  | { type: 'job.done'; jobId: string; result: Record<string, unknown> }
  /** The job stopped without a result: `cancelled` when it was asked to stop, else `message` says what went wrong. */
  | { type: 'job.failed'; jobId: string; message: string; cancelled: boolean };

/** How the worker was started: an Electron utilityProcess, or child_process.fork (browser mode, tests). */
export type WorkerTransportKind = 'electron-utility-process' | 'node-fork';
