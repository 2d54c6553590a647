/**
 * Entry of the batch worker: a second process that builds training batches while the trainer
 * computes, on the machine's other core. Started by batch-source.ts with child_process.fork and
 * `serialization: 'advanced'`; protocol in batch-messages.ts. Exits when its parent goes away.
 */
import type { TrainingBatch } from './batch.ts';
import { createBatchBuilder } from './batch-builder.ts';
import type { BatchWorkerReply, BatchWorkerRequest } from './batch-messages.ts';

const send = process.send?.bind(process);
if (!send) {
  process.stderr.write('The VoxNAS batch worker must be started by a trainer (child_process.fork), not from a shell.\n');
  process.exit(2);
}
const reply = (message: BatchWorkerReply) => void send(message);

let build: ((index: number) => Promise<TrainingBatch>) | null = null;
// Requests are served one at a time, in arrival order: one core, and replies in request order.
let queue: Promise<void> = Promise.resolve();

process.on('message', (message: BatchWorkerRequest) => {
  switch (message?.type) {
    case 'init':
      try {
        build = createBatchBuilder(message.config, message.source);
        reply({ type: 'ready', pid: process.pid });
      } catch (error) {
        reply({ type: 'error', index: null, message: (error as Error).message });
      }
      return;
    case 'build': {
      const { index } = message;
      queue = queue.then(async () => {
        try {
          if (!build) throw new Error('the batch worker got a build request before init');
          reply({ type: 'batch', batch: await build(index) });
        } catch (error) {
          reply({ type: 'error', index, message: (error as Error).message });
        }
      });
      return;
    }
    case 'shutdown':
      process.exit(0);
      return;
    default:
      reply({ type: 'error', index: null, message: `unknown batch worker request ${JSON.stringify((message as { type?: unknown })?.type)}` });
  }
});
process.on('disconnect', () => process.exit(0));
