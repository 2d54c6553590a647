import { appendFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { EvaluationBudget, Evaluator, EvaluatorRef, Json } from './types.ts';

/** A failure the fake evaluator raises for one architecture (optionally only above a batch size). */
export interface FakeFailure {
  archId: string;
  message: string;
  /** Fail only when the budget's batch is above this; absent: always. */
  batchAbove?: number;
}

export interface FakeEvaluatorOptions {
  /** Pretended training time per candidate, milliseconds (aborts early on the signal). */
  delayMs?: number;
  failures?: FakeFailure[];
  /** Foreground classes reported in perClass (default 2). */
  classes?: number;
  /** Appends one line `<archId> <batch>` per evaluation started (lets tests count evaluations). */
  logFile?: string;
}

/** A deterministic number in [0, 1) from an archId (its first 8 hex digits). */
const unit = (id: string, salt: number) => (parseInt(id.slice(0, 8), 16) ^ Math.imul(salt, 0x9e3779b1)) >>> 0;

/** Dice of a candidate as the fake evaluator reports it: a pure function of archId, in [0.5, 0.9). */
export function fakeDice(archId: string, foregroundClass: number): number {
  return 0.5 + (0.4 * unit(archId, foregroundClass + 1)) / 0x1_0000_0000;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('evaluation cancelled'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('evaluation cancelled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * An evaluator for tests and demos: no training, a score that is a pure function of the genome's
 * archId (so results do not depend on timing, order or process), a configurable delay and
 * configurable failures (e.g. "out of memory" for one architecture above some batch size).
 */
export function createFakeEvaluator(options: FakeEvaluatorOptions = {}): Evaluator {
  const classes = options.classes ?? 2;
  return {
    async evaluate(candidate, budget: EvaluationBudget, signal) {
      if (options.logFile) await appendFile(options.logFile, `${candidate.archId} ${budget.batch}\n`);
      await sleep(options.delayMs ?? 0, signal);
      const failure = options.failures?.find((entry) => entry.archId === candidate.archId && budget.batch > (entry.batchAbove ?? 0));
      if (failure) throw new Error(failure.message);
      const perClass = Array.from({ length: classes }, (_, index) => fakeDice(candidate.archId, index));
      const meanDice = perClass.reduce((sum, value) => sum + value, 0) / classes;
      return { ok: true, metrics: { meanDice, perClass, seconds: (options.delayMs ?? 0) / 1000, batch: budget.batch } };
    },
  };
}

/** The fake evaluator as data (for the worker pool and run.json). */
export function fakeEvaluatorRef(options: FakeEvaluatorOptions = {}): EvaluatorRef {
  return { module: fileURLToPath(import.meta.url), exportName: 'createFakeEvaluator', options: options as unknown as Json };
}
