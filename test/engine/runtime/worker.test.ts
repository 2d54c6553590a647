import { fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerReply } from '../../../engine/api/worker-messages.ts';
import { VOXNAS_VERSION } from '../../../engine/version.ts';

const WORKER = 'engine/runtime/worker.ts';
const children: ReturnType<typeof fork>[] = [];
afterEach(() => children.splice(0).forEach((child) => child.kill()));

function startWorker() {
  const child = fork(WORKER, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  children.push(child);
  return child;
}

async function ask(child: ReturnType<typeof fork>, message: unknown): Promise<WorkerReply> {
  const reply = once(child, 'message');
  child.send(message as object);
  return (await reply)[0] as WorkerReply;
}

/** Sends a job and collects every reply about it until job.done or job.failed. */
async function runJob(child: ReturnType<typeof fork>, request: object): Promise<WorkerReply[]> {
  const replies: WorkerReply[] = [];
  return new Promise((resolvePromise) => {
    const listener = (message: WorkerReply) => {
      replies.push(message);
      if (message.type === 'job.done' || message.type === 'job.failed') {
        child.off('message', listener);
        resolvePromise(replies);
      }
    };
    child.on('message', listener);
    child.send(request);
  });
}

describe('job worker (child_process.fork, as in browser mode)', () => {
  it('answers hello with its identity and rejects malformed requests with a reason', async () => {
    const child = startWorker();
    expect(await ask(child, { type: 'hello', id: 'h1' })).toEqual({
      type: 'ready',
      id: 'h1',
      pid: child.pid,
      node: process.versions.node,
      engineVersion: VOXNAS_VERSION,
      transport: 'node-fork',
    });
    expect(await ask(child, { type: 'train', id: 'x' })).toEqual({
      type: 'error',
      id: 'x',
      message: 'unknown worker request type "train" (expected "hello", "job.run", "job.cancel" or "shutdown")',
    });
    expect(await ask(child, 42)).toEqual({ type: 'error', id: null, message: 'a worker request must be an object with a "type"' });
    expect(await ask(child, { type: 'job.run', jobId: 'j1', kind: 'compile', workspace: '/tmp', params: {} })).toEqual({
      type: 'error',
      id: 'j1',
      message: 'job j1: unknown job kind "compile" (expected one of import, plan, train, search, predict, export, evaluate)',
    });
    const exited = once(child, 'exit');
    child.send({ type: 'shutdown' });
    expect((await exited)[0]).toBe(0);
  });

  it('runs an import job on the sample with progress events, then reports bad params as failures', async () => {
    const child = startWorker();
    const workspace = mkdtempSync(join(tmpdir(), 'voxnas-worker-'));
    const replies = await runJob(child, { type: 'job.run', jobId: 'import-1', kind: 'import', workspace, params: { source: resolve('resources/sample') } });
    const done = replies.at(-1)!;
    const progress = replies.flatMap((reply) => (reply.type === 'job.event' && reply.event.type === 'progress' ? [reply.event.fraction] : []));
    expect({
      done: done.type === 'job.done' ? { ...done.result, written: (done.result['written'] as string[]).map((path) => path.replace(workspace, '<ws>')) } : done,
      progress: [progress[0], progress.at(-1), progress.length >= 10],
      files: readdirSync(workspace).sort(),
      integrity: JSON.parse(readFileSync(join(workspace, 'integrity.json'), 'utf8')).errors,
    }).toEqual({
      done: { dataset: 'Hippocampus', cases: 10, excludedCases: [], errors: 0, warnings: 0, written: ['<ws>/dataset.json', '<ws>/fingerprint.json', '<ws>/integrity.json'] },
      progress: [0, 1, true],
      files: ['dataset.json', 'fingerprint.json', 'integrity.json'],
      integrity: 0,
    });
    expect((await runJob(child, { type: 'job.run', jobId: 'import-2', kind: 'import', workspace, params: { source: 'resources/sample', speed: 'fast' } })).at(-1)).toEqual({
      type: 'job.failed',
      jobId: 'import-2',
      cancelled: false,
      message: 'The import job cannot start: params.source takes an absolute path of the dataset folder (MSD, nnU-Net v2 raw, or images/ + labels/), not "resources/sample"; params.speed is not known (the import job takes source, force). Fix the params and start it again.',
    });
    expect((await runJob(child, { type: 'job.run', jobId: 'search-1', kind: 'search', workspace, params: { strategy: 'nas', budget: '1h' } })).at(-1)).toEqual({
      type: 'job.failed',
      jobId: 'search-1',
      cancelled: false,
      message: "The search job cannot start: params.strategy takes 'enas' or 'random' or 'ronasmis' or 'darts' or 'gumbel' or 'c2fnas', not \"nas\". Fix the params and start it again.",
    });
  }, 60_000);

  it('refuses to start without a parent channel, with exit code 2 and a message', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain('The VoxNAS worker must be started by the VoxNAS app or server');
  });
});
