/**
 * The job worker's message loop: answers `hello`, runs one job at a time (`job.run`), cancels it on
 * `job.cancel`, and exits on `shutdown`. Every message gets an answer (a reply, or an `error` that
 * says what was wrong), so the host never waits on a message the worker dropped. Queueing is the
 * host's business: a `job.run` while a job runs is refused with an `error`.
 */
import type { WorkerJobEvent, WorkerReply, WorkerRequest } from '../api/worker-messages.ts';
import { JobCancelledError, type JobFunction } from '../jobs/job-context.ts';
import { isJobKind, JOB_LOADERS } from '../jobs/registry.ts';
import { VOXNAS_VERSION } from '../version.ts';
import type { WorkerTransport } from './worker-transport.ts';

const REQUEST_TYPES = '"hello", "job.run", "job.cancel" or "shutdown"';

/** How long `shutdown` waits for a cancelled job to finish its bookkeeping before exiting anyway. */
const SHUTDOWN_GRACE_MS = 5_000;

function parseRequest(message: unknown): WorkerRequest | string {
  if (typeof message !== 'object' || message === null || !('type' in message)) {
    return 'a worker request must be an object with a "type"';
  }
  const request = message as Record<string, unknown>;
  switch (request['type']) {
    case 'hello':
      return typeof request['id'] === 'string' ? { type: 'hello', id: request['id'] } : 'a "hello" request needs a string "id"';
    case 'shutdown':
      return { type: 'shutdown' };
    case 'job.cancel':
      return typeof request['jobId'] === 'string' ? { type: 'job.cancel', jobId: request['jobId'] } : 'a "job.cancel" request needs a string "jobId"';
    case 'job.run': {
      const { jobId, kind, workspace, params } = request;
      if (typeof jobId !== 'string' || jobId === '') return 'a "job.run" request needs a string "jobId"';
      if (!isJobKind(kind)) return `job ${jobId}: unknown job kind ${JSON.stringify(kind)} (expected one of ${Object.keys(JOB_LOADERS).join(', ')})`;
      if (typeof workspace !== 'string' || workspace === '') return `job ${jobId}: "workspace" must be the workspace folder's path`;
      if (typeof params !== 'object' || params === null || Array.isArray(params)) return `job ${jobId}: "params" must be a JSON object`;
      return { type: 'job.run', jobId, kind, workspace, params: params as Record<string, unknown> };
    }
    default:
      return `unknown worker request type ${JSON.stringify(request['type'])} (expected ${REQUEST_TYPES})`;
  }
}

/** A job's error as the sentence the user sees: engine errors (InputError, params errors) are already worded for them. */
function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

export interface WorkerSessionOptions {
  /** Overrides the job functions (tests use slow or failing fakes). */
  loadJob?: (kind: Extract<WorkerRequest, { type: 'job.run' }>['kind']) => Promise<JobFunction>;
}

/** Serves requests on one transport until `shutdown`; `exit` ends the process. */
export function serveWorker(transport: WorkerTransport, exit: (code: number) => void, options: WorkerSessionOptions = {}): void {
  const loadJob = options.loadJob ?? ((kind) => JOB_LOADERS[kind]());
  let running: { jobId: string; controller: AbortController; settled: Promise<void> } | null = null;

  const run = (request: Extract<WorkerRequest, { type: 'job.run' }>): void => {
    const controller = new AbortController();
    const { jobId } = request;
    const emit = (event: WorkerJobEvent) => transport.send({ type: 'job.event', jobId, event });
    // Busy before anything can fail: a loader that throws at once must not leave `running` set after the reply.
    const current: NonNullable<typeof running> = { jobId, controller, settled: Promise.resolve() };
    running = current;
    current.settled = (async () => {
      let reply: WorkerReply;
      try {
        const job = await loadJob(request.kind);
        if (controller.signal.aborted) throw new JobCancelledError('The job');
        const result = await job(request.params, { workspace: request.workspace, signal: controller.signal, emit });
        reply = { type: 'job.done', jobId, result };
      } catch (error) {
        const cancelled = controller.signal.aborted || error instanceof JobCancelledError;
        reply = { type: 'job.failed', jobId, message: cancelled && !(error instanceof JobCancelledError) ? 'The job was cancelled' : describeError(error), cancelled };
      }
      if (running === current) running = null;
      transport.send(reply);
    })();
  };

  transport.onMessage((message) => {
    const request = parseRequest(message);
    if (typeof request === 'string') {
      const fields = (typeof message === 'object' && message !== null ? message : {}) as { id?: unknown; jobId?: unknown };
      const id = typeof fields.id === 'string' ? fields.id : typeof fields.jobId === 'string' ? fields.jobId : null;
      transport.send({ type: 'error', id, message: request });
      return;
    }
    switch (request.type) {
      case 'hello':
        transport.send({ type: 'ready', id: request.id, pid: process.pid, node: process.versions.node, engineVersion: VOXNAS_VERSION, transport: transport.kind });
        return;
      case 'job.run':
        if (running !== null) {
          transport.send({ type: 'error', id: request.jobId, message: `job ${request.jobId} was not started: the worker is running job ${running.jobId} (one job at a time; queue it and send it when that one is done)` });
          return;
        }
        run(request);
        return;
      case 'job.cancel':
        if (running?.jobId !== request.jobId) {
          transport.send({ type: 'error', id: request.jobId, message: `job ${request.jobId} is not running in this worker, so there is nothing to cancel` });
          return;
        }
        running.controller.abort();
        return;
      case 'shutdown': {
        const current = running;
        if (current === null) {
          exit(0);
          return;
        }
        current.controller.abort();
        void Promise.race([current.settled, new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref())]).then(() => exit(0));
        return;
      }
    }
  });
}
