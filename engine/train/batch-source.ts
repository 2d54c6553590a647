import { type ChildProcess, fork } from 'node:child_process';
import type { BatchConfig, TrainingBatch } from './batch.ts';
import { createBatchBuilder } from './batch-builder.ts';
import type { BatchWorkerReply, BatchWorkerRequest, CaseSourceSpec } from './batch-messages.ts';
import { childEntry } from '../runtime/typescript-child.ts';

/**
 * The trainer's side of batch generation. `next()` returns batches startIndex, startIndex + 1, ...
 * Batch n is always the same array (batch.ts), so a run resumed at step n passes startIndex n.
 *
 * - `openWorkerBatchSource`: batches built in a child process (the second core), `prefetch` batches
 *   ahead of the one being consumed. If the worker dies, every waiting and later `next()` rejects with
 *   an Error naming the exit code or signal and the end of its stderr: never a hang.
 * - `openInProcessBatchSource`: the same batches built on demand in this process (one core, tests).
 */
export interface BatchStream {
  /** The index the next call to `next()` returns. */
  readonly nextIndex: number;
  next(): Promise<TrainingBatch>;
  close(): Promise<void>;
}

export interface BatchSourceOptions {
  config: BatchConfig;
  source: CaseSourceSpec;
  /** First batch to deliver (a resumed run: its step). Default 0. */
  startIndex?: number;
  /** Batches requested ahead of the one being consumed (default 2). */
  prefetch?: number;
  /**
   * How to start the worker. Default: engine/train/batch-worker.ts through tsx (source tree, CLI,
   * tests). A bundled app passes its built file, no execArgv, and under Electron
   * env { ...process.env, ELECTRON_RUN_AS_NODE: '1' } so that Electron's binary runs it as Node.
   */
  worker?: { entry: string; execArgv: string[]; env?: NodeJS.ProcessEnv };
}

export function openInProcessBatchSource(options: BatchSourceOptions): BatchStream {
  const build = createBatchBuilder(options.config, options.source);
  let nextIndex = options.startIndex ?? 0;
  return {
    get nextIndex() {
      return nextIndex;
    },
    next: () => build(nextIndex++),
    close: async () => undefined,
  };
}

function defaultWorker(): NonNullable<BatchSourceOptions['worker']> {
  return childEntry(import.meta.url, 'batch-worker');
}

type Slot = { batch?: TrainingBatch; error?: Error; waiter?: { resolve: (batch: TrainingBatch) => void; reject: (error: Error) => void } };

const STDERR_KEPT = 2000;

class WorkerBatchSource implements BatchStream {
  private readonly slots = new Map<number, Slot>();
  private requestedUpTo: number;
  private failure: Error | null = null;
  private closing = false;
  private stderrTail = '';
  private initWaiter: { resolve: () => void; reject: (error: Error) => void } | null = null;
  nextIndex: number;

  constructor(
    private readonly child: ChildProcess,
    private readonly prefetch: number,
    startIndex: number,
  ) {
    this.nextIndex = startIndex;
    this.requestedUpTo = startIndex - 1;
    child.stderr?.on('data', (chunk: Buffer) => (this.stderrTail = (this.stderrTail + chunk.toString()).slice(-STDERR_KEPT)));
    child.on('message', (message: BatchWorkerReply) => this.receive(message));
    child.on('error', (error) => this.fail(new Error(`the batch worker failed: ${error.message}`)));
    child.on('exit', (code, signal) => {
      if (this.closing) return;
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const waiting = [...this.slots].filter(([, slot]) => !slot.batch && !slot.error).map(([index]) => index);
      const what = waiting.length > 0 ? ` before delivering batch ${Math.min(...waiting)}` : '';
      const stderr = this.stderrTail.trim() ? `; its stderr ended with: ${this.stderrTail.trim()}` : '';
      this.fail(new Error(`the batch worker (pid ${child.pid}) ${how}${what}${stderr}`));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves on the worker's `ready`; rejects on its init error or death. */
  start(config: BatchConfig, source: CaseSourceSpec): Promise<void> {
    return new Promise((resolve, reject) => {
      this.initWaiter = { resolve, reject };
      this.send({ type: 'init', config, source });
    });
  }

  private send(request: BatchWorkerRequest): void {
    if (this.child.connected) this.child.send(request);
  }

  private receive(message: BatchWorkerReply): void {
    if (message.type === 'ready') {
      this.initWaiter?.resolve();
      this.initWaiter = null;
      this.requestAhead(this.nextIndex);
      return;
    }
    if (message.type === 'batch') {
      this.settle(message.batch.index, message.batch, undefined);
      return;
    }
    if (message.index === null) this.fail(new Error(`the batch worker refused its work: ${message.message}`));
    else this.settle(message.index, undefined, new Error(`batch ${message.index}: ${message.message}`));
  }

  private settle(index: number, batch: TrainingBatch | undefined, error: Error | undefined): void {
    const slot = this.slots.get(index);
    if (!slot) return;
    if (slot.waiter) {
      this.slots.delete(index);
      if (batch) slot.waiter.resolve(batch);
      else slot.waiter.reject(error!);
      return;
    }
    slot.batch = batch;
    slot.error = error;
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.initWaiter?.reject(error);
    this.initWaiter = null;
    for (const [index, slot] of this.slots) {
      if (slot.batch || slot.error) continue;
      if (slot.waiter) {
        slot.waiter.reject(error);
        this.slots.delete(index);
      } else slot.error = error;
    }
  }

  /** Requests every batch up to `current + prefetch` not yet requested. */
  private requestAhead(current: number): void {
    if (this.failure) return;
    for (let index = this.requestedUpTo + 1; index <= current + this.prefetch; index += 1) {
      this.slots.set(index, {});
      this.send({ type: 'build', index });
    }
    this.requestedUpTo = Math.max(this.requestedUpTo, current + this.prefetch);
  }

  next(): Promise<TrainingBatch> {
    const index = this.nextIndex;
    this.nextIndex += 1;
    this.requestAhead(index);
    const slot = this.slots.get(index);
    if (!slot) return Promise.reject(this.failure ?? new Error(`batch ${index} was never requested`));
    if (slot.batch || slot.error) {
      this.slots.delete(index);
      return slot.batch ? Promise.resolve(slot.batch) : Promise.reject(slot.error);
    }
    if (this.failure) {
      this.slots.delete(index);
      return Promise.reject(this.failure);
    }
    return new Promise((resolve, reject) => (slot.waiter = { resolve, reject }));
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.fail(new Error('the batch source was closed'));
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.send({ type: 'shutdown' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }
}

/** Starts a batch worker and resolves once it has accepted the config and case list. */
export async function openWorkerBatchSource(options: BatchSourceOptions): Promise<BatchStream & { readonly pid: number | undefined }> {
  const launch = options.worker ?? defaultWorker();
  const child = fork(launch.entry, [], { execArgv: launch.execArgv, env: launch.env ?? process.env, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const source = new WorkerBatchSource(child, Math.max(0, options.prefetch ?? 2), options.startIndex ?? 0);
  try {
    await source.start(options.config, options.source);
  } catch (error) {
    await source.close();
    throw error;
  }
  return source;
}
