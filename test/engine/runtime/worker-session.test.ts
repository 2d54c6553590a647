/**
 * The worker's message loop in this process, with a transport that records replies and job
 * functions that the test controls: one job at a time, cancellation, errors as job.failed.
 */
import { describe, expect, it } from 'vitest';
import type { WorkerReply } from '../../../engine/api/worker-messages.ts';
import { InputError } from '../../../engine/io/input-error.ts';
import { JobCancelledError, type JobFunction } from '../../../engine/jobs/job-context.ts';
import { serveWorker } from '../../../engine/runtime/worker-session.ts';
import type { WorkerTransport } from '../../../engine/runtime/worker-transport.ts';

function session(jobs: Record<string, JobFunction>) {
  const replies: WorkerReply[] = [];
  const exits: number[] = [];
  let deliver: (message: unknown) => void = () => undefined;
  const transport: WorkerTransport = { kind: 'node-fork', send: (reply) => replies.push(reply), onMessage: (listener) => (deliver = listener) };
  serveWorker(transport, (code) => exits.push(code), { loadJob: async (kind) => jobs[kind]! });
  const until = async (predicate: () => boolean) => {
    for (let waited = 0; !predicate(); waited += 5) {
      if (waited > 5_000) throw new Error(`timed out; replies so far: ${JSON.stringify(replies)}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  return { replies, exits, send: (message: unknown) => deliver(message), until };
}

/** A job that reports progress until its signal aborts. */
const slowJob: JobFunction = async (_params, context) => {
  for (let step = 0; ; step += 1) {
    if (context.signal.aborted) throw new JobCancelledError('The slow job');
    context.emit({ type: 'progress', fraction: null, message: `step ${step}` });
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('worker session', () => {
  it('runs one job at a time, refuses a second, cancels the running one, then takes the next', async () => {
    const { replies, send, until } = session({
      train: slowJob,
      plan: async (params, context) => ({ workspace: context.workspace, echo: params }),
    });
    send({ type: 'job.run', jobId: 'a', kind: 'train', workspace: '/ws', params: {} });
    await until(() => replies.some((reply) => reply.type === 'job.event'));
    send({ type: 'job.run', jobId: 'b', kind: 'plan', workspace: '/ws', params: {} });
    send({ type: 'job.cancel', jobId: 'b' });
    send({ type: 'job.cancel', jobId: 'a' });
    await until(() => replies.some((reply) => reply.type === 'job.failed'));
    send({ type: 'job.run', jobId: 'b', kind: 'plan', workspace: '/ws', params: { device: 'cpu' } });
    await until(() => replies.some((reply) => reply.type === 'job.done'));
    expect(replies.filter((reply) => reply.type !== 'job.event')).toEqual([
      { type: 'error', id: 'b', message: 'job b was not started: the worker is running job a (one job at a time; queue it and send it when that one is done)' },
      { type: 'error', id: 'b', message: 'job b is not running in this worker, so there is nothing to cancel' },
      { type: 'job.failed', jobId: 'a', message: 'The slow job was cancelled', cancelled: true },
      { type: 'job.done', jobId: 'b', result: { workspace: '/ws', echo: { device: 'cpu' } } },
    ]);
  });

  it('turns errors into job.failed with their message, and a job that ignores the abort still reports cancelled', async () => {
    const { replies, send, until } = session({
      import: async () => {
        throw new InputError('/data/broken', 'is not a readable folder', 'Give the folder that holds the dataset.');
      },
      predict: async (_params, context) => {
        if (!context.signal.aborted) await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
        throw new Error('onnxruntime stopped');
      },
    });
    send({ type: 'job.run', jobId: 'i', kind: 'import', workspace: '/ws', params: {} });
    await until(() => replies.length === 1);
    send({ type: 'job.run', jobId: 'p', kind: 'predict', workspace: '/ws', params: {} });
    await new Promise((resolve) => setTimeout(resolve, 20));
    send({ type: 'job.cancel', jobId: 'p' });
    await until(() => replies.length === 2);
    expect(replies).toEqual([
      { type: 'job.failed', jobId: 'i', message: '/data/broken: is not a readable folder. Give the folder that holds the dataset.', cancelled: false },
      { type: 'job.failed', jobId: 'p', message: 'The job was cancelled', cancelled: true },
    ]);
  });

  it('on shutdown cancels the running job and exits once it has stopped', async () => {
    const { replies, exits, send, until } = session({ train: slowJob });
    send({ type: 'job.run', jobId: 'a', kind: 'train', workspace: '/ws', params: {} });
    await until(() => replies.length > 0);
    send({ type: 'shutdown' });
    await until(() => exits.length > 0);
    expect({ exits, last: replies.at(-1) }).toEqual({ exits: [0], last: { type: 'job.failed', jobId: 'a', message: 'The slow job was cancelled', cancelled: true } });
  });
});
