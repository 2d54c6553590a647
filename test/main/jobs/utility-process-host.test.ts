/**
 * The Electron worker host against a stand-in for electron (no Electron binary here): the stand-in
 * utilityProcess runs the real worker session in this process, behind the real worker transport,
 * so the test covers the MessagePort hand-over, the hello handshake, a job's messages and the exit.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { WorkerReply } from '../../../engine/api/worker-messages.ts';
import { serveWorker } from '../../../engine/runtime/worker-session.ts';
import { connectToParent } from '../../../engine/runtime/worker-transport.ts';

/** A MessagePortMain: what one side posts, the other side receives (asynchronously, as in Electron). */
class FakePort extends EventEmitter {
  other: FakePort | null = null;
  postMessage(data: unknown) {
    const target = this.other!;
    setImmediate(() => target.emit('message', { data }));
  }
  start() {}
  close() {}
}

const forked: { entry: string; options: unknown }[] = [];

vi.mock('electron', () => ({
  MessageChannelMain: class {
    port1 = new FakePort();
    port2 = new FakePort();
    constructor() {
      this.port1.other = this.port2;
      this.port2.other = this.port1;
    }
  },
  utilityProcess: {
    fork(entry: string, _args: string[], options: unknown) {
      forked.push({ entry, options });
      const child = Object.assign(new EventEmitter(), {
        pid: 4242,
        postMessage: (data: unknown, ports: FakePort[]) => setImmediate(() => parentPort.emit('message', { data, ports })),
        kill: () => setImmediate(() => child.emit('exit', 9)),
      });
      // The worker's side: process.parentPort, the real transport and the real session.
      const parentPort = Object.assign(new EventEmitter(), { postMessage: () => expect.unreachable('replies go over the handed-over port') });
      const transport = connectToParent({ parentPort } as unknown as NodeJS.Process)!;
      serveWorker(transport, (code) => setImmediate(() => child.emit('exit', code)), {
        loadJob: async () => async (params, context) => {
          context.emit({ type: 'progress', fraction: 0.5, message: 'half way' });
          return { echoed: params, workspace: context.workspace };
        },
      });
      return child;
    },
  },
}));

const { utilityProcessWorkerHost } = await import('../../../main/jobs/utility-process-host.ts');

describe('utilityProcess worker host', () => {
  it('hands the worker a MessagePort, waits for ready, carries a job both ways, and reports the exit', async () => {
    const host = await utilityProcessWorkerHost('/app/out/main/worker.js').start();
    const replies: WorkerReply[] = [];
    const done = new Promise<void>((resolve) =>
      host.onMessage((message) => {
        replies.push(message);
        if (message.type === 'job.done') resolve();
      }),
    );
    host.send({ type: 'job.run', jobId: 'j', kind: 'plan', workspace: '/ws', params: { workers: 0 } });
    await done;
    const exited = new Promise<[number | null, string | null]>((resolve) => host.onExit((code, signal) => resolve([code, signal])));
    host.send({ type: 'shutdown' });
    expect({ pid: host.pid, forked, replies, exit: await exited }).toEqual({
      pid: 4242,
      forked: [{ entry: '/app/out/main/worker.js', options: { serviceName: 'VoxNAS job worker', stdio: 'inherit' } }],
      replies: [
        { type: 'job.event', jobId: 'j', event: { type: 'progress', fraction: 0.5, message: 'half way' } },
        { type: 'job.done', jobId: 'j', result: { echoed: { workers: 0 }, workspace: '/ws' } },
      ],
      exit: [0, null],
    });
  });
});
