import { fork, spawn } from 'node:child_process';
import { once } from 'node:events';
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
      message: 'unknown worker request type "train" (expected "hello" or "shutdown")',
    });
    expect(await ask(child, 42)).toEqual({ type: 'error', id: null, message: 'a worker request must be an object with a "type"' });
    const exited = once(child, 'exit');
    child.send({ type: 'shutdown' });
    expect((await exited)[0]).toBe(0);
  });

  it('refuses to start without a parent channel, with exit code 2 and a message', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain('The VoxNAS worker must be started by the VoxNAS app or server');
  });
});
