import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { childEntry } from '../runtime/typescript-child.ts';
import { isEvaluatorRef } from './evaluator-ref.ts';
import type { Candidate, EngineSession, EvaluationBudget, EvaluationOutcome, EvaluatorRef, ExecutionEngine } from './types.ts';
import type { SearchWorkerReply, SearchWorkerRequest } from './worker-messages.ts';

export interface WorkerPoolOptions {
  /** Worker processes (default: the cores, at most 2). */
  workers?: number;
  /**
   * How to start a worker. Default: engine/search/search-worker.ts through tsx. A bundled app passes
   * its built file, no execArgv, and under Electron env { ...process.env, ELECTRON_RUN_AS_NODE: '1' }.
   */
  worker?: { entry: string; execArgv: string[]; env?: NodeJS.ProcessEnv };
}

function defaultWorker(): NonNullable<WorkerPoolOptions['worker']> {
  return childEntry(import.meta.url, 'search-worker');
}

const STDERR_KEPT = 2000;

/** One worker process; it evaluates one candidate at a time and is replaced when it dies. */
class WorkerSlot {
  private readonly child: ChildProcess;
  private stderr = '';
  private pending: { id: number; resolve: (outcome: EvaluationOutcome) => void } | null = null;
  alive = true;
  /** Taken by an evaluation (set before the first await, so two evaluations never share a worker). */
  reserved = false;

  constructor(launch: NonNullable<WorkerPoolOptions['worker']>) {
    this.child = fork(launch.entry, [], { execArgv: launch.execArgv, env: launch.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-STDERR_KEPT)));
    this.child.on('message', (reply: SearchWorkerReply) => {
      if (reply.type === 'result' && this.pending?.id === reply.id) this.finish(reply.outcome);
    });
    this.child.on('exit', (code, signal) => {
      this.alive = false;
      // A worker that dies mid-evaluation (killed, V8 heap exhausted) fails that candidate; its stderr says why.
      this.finish({ ok: false, reason: `search worker exited (${signal ?? `code ${code}`}) during the evaluation${this.stderr ? `: ${this.stderr.trim()}` : ''}` });
    });
    this.child.on('error', () => undefined);
  }

  get busy(): boolean {
    return this.reserved || this.pending !== null;
  }

  private finish(outcome: EvaluationOutcome): void {
    const pending = this.pending;
    this.pending = null;
    this.reserved = false;
    pending?.resolve(outcome);
  }

  private send(request: SearchWorkerRequest): void {
    if (this.alive && this.child.connected) this.child.send(request);
  }

  evaluate(id: number, evaluator: EvaluatorRef, candidate: Candidate, budget: EvaluationBudget, signal: AbortSignal): Promise<EvaluationOutcome> {
    return new Promise((resolve) => {
      const onAbort = () => this.send({ type: 'cancel', id });
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending = {
        id,
        resolve: (outcome) => {
          signal.removeEventListener('abort', onAbort);
          resolve(outcome);
        },
      };
      this.send({ type: 'evaluate', id, evaluator, candidate, budget });
      if (signal.aborted) onAbort();
    });
  }

  async close(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.send({ type: 'shutdown' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * A pool of worker processes (child_process.fork), one evaluation per worker at a time; uses both
 * cores by default. The evaluator must be an EvaluatorRef: each worker builds its own.
 */
export function workerPoolEngine(options: WorkerPoolOptions = {}): ExecutionEngine {
  const count = Math.max(1, options.workers ?? Math.min(2, availableParallelism()));
  const launch = options.worker ?? defaultWorker();
  return {
    name: 'worker-pool',
    async open(evaluator): Promise<EngineSession> {
      if (!isEvaluatorRef(evaluator)) throw new Error('the worker pool needs an EvaluatorRef ({ module, exportName, options }), not an evaluator object');
      const slots: WorkerSlot[] = [];
      const waiting: (() => void)[] = [];
      let nextId = 0;
      const acquire = async (): Promise<WorkerSlot> => {
        for (;;) {
          const index = slots.findIndex((slot) => !slot.alive || !slot.busy);
          if (index >= 0 || slots.length < count) {
            const slot = index >= 0 && slots[index]!.alive ? slots[index]! : new WorkerSlot(launch);
            if (index >= 0) slots[index] = slot;
            else slots.push(slot);
            slot.reserved = true;
            return slot;
          }
          await new Promise<void>((resolve) => waiting.push(resolve));
        }
      };
      return {
        capacity: count,
        async evaluate(candidate, budget, signal) {
          const slot = await acquire();
          try {
            return await slot.evaluate(nextId++, evaluator, candidate, budget, signal);
          } finally {
            waiting.shift()?.();
          }
        },
        close: async () => {
          await Promise.all(slots.map((slot) => slot.close()));
        },
      };
    },
  };
}
