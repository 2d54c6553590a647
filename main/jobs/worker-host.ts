/**
 * The job service's view of one worker process, whatever started it: an Electron utilityProcess
 * (main/jobs/utility-process-host.ts) or child_process.fork (main/jobs/fork-host.ts, browser mode
 * and tests). A factory starts a worker and resolves once it has answered `hello`.
 */
import { randomUUID } from 'node:crypto';
import type { WorkerReply, WorkerRequest } from '../../engine/api/worker-messages.ts';

export interface WorkerHost {
  send(message: WorkerRequest): void;
  onMessage(listener: (message: WorkerReply) => void): void;
  /** Called once when the process ends; `signal` is null for a normal exit (always null under Electron). */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  /** Ends the process at once (SIGKILL where the platform has it). */
  kill(): void;
  readonly pid: number | undefined;
}

export interface WorkerHostFactory {
  start(): Promise<WorkerHost>;
}

/** How long a new worker may take to answer `hello` (tsx compiling the worker on a loaded machine is the slow case). */
export const READY_TIMEOUT_MS = 60_000;

/**
 * Sends `hello` and waits for `ready`. Rejects, and kills the process, when it exits first or does
 * not answer in time; `describe` names how it was started, for the error message.
 */
export function awaitReady(host: WorkerHost, describe: string, timeoutMs = READY_TIMEOUT_MS): Promise<WorkerHost> {
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        host.kill();
        reject(error);
      } else resolve(host);
    };
    const timer = setTimeout(() => finish(new Error(`The job worker (${describe}) did not answer within ${timeoutMs / 1000} s; check that the app is installed completely, then retry the job.`)), timeoutMs);
    host.onMessage((message) => {
      if (message.type === 'ready' && message.id === id) finish(null);
    });
    host.onExit((code, signal) => finish(new Error(`The job worker (${describe}) stopped while starting (exit code ${code}${signal ? `, signal ${signal}` : ''}); see the log above, then retry the job.`)));
    host.send({ type: 'hello', id });
  });
}
