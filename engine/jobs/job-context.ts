/**
 * What every job function gets and returns. A job is one module per kind (engine/jobs/*-job.ts)
 * with the same signature, so the worker, the CLI and the tests run the same code. Jobs report
 * through `emit`, stop when `signal` aborts (by throwing JobCancelledError), and return a small
 * JSON result.
 */
import type { WorkerJobEvent } from '../api/worker-messages.ts';

export interface JobContext {
  /** Absolute path of the workspace folder the job works in. */
  workspace: string;
  /** Aborted when the user cancels the job (or the worker shuts down). */
  signal: AbortSignal;
  emit(event: WorkerJobEvent): void;
}

/** The result is stored in the job's job.json: keep it small and JSON-serialisable. */
export type JobFunction = (params: Record<string, unknown>, context: JobContext) => Promise<Record<string, unknown>>;

/** Thrown by a job that stopped because its signal aborted; the worker reports it as cancelled. */
export class JobCancelledError extends Error {
  override readonly name = 'JobCancelledError';
  constructor(what: string) {
    super(`${what} was cancelled`);
  }
}

export function throwIfCancelled(signal: AbortSignal, what: string): void {
  if (signal.aborted) throw new JobCancelledError(what);
}

/** A progress event with the fraction clamped to [0, 1]. */
export function progress(fraction: number | null, message: string, etaSeconds: number | null = null): WorkerJobEvent {
  return { type: 'progress', fraction: fraction === null ? null : Math.min(1, Math.max(0, fraction)), message, etaSeconds };
}
