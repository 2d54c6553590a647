import type { BatchConfig, TrainingBatch } from './batch.ts';
import type { CaseFileRef, TrainingCase } from './training-case.ts';

/**
 * Messages between a trainer (batch-source.ts) and its batch worker (batch-worker.ts), over
 * child_process IPC with `serialization: 'advanced'` (V8 structured clone: typed arrays travel as
 * bytes, not as JSON objects; measured ~2 ms for a 2 x 48^3 batch). Every request gets one reply.
 */

/** The cases a worker builds batches from; their order is the case list batches draw from. */
export type CaseSourceSpec =
  /** Cases sent whole (tests, small data). */
  | { kind: 'memory'; cases: TrainingCase[] }
  /** Cases of the preprocessing cache, loaded on first use and cached up to `cacheBytes`. */
  | { kind: 'files'; cases: CaseFileRef[]; cacheBytes: number };

export type BatchWorkerRequest =
  | { type: 'init'; config: BatchConfig; source: CaseSourceSpec }
  /** Build batch `index`; requests are served in the order they arrive. */
  | { type: 'build'; index: number }
  | { type: 'shutdown' };

export type BatchWorkerReply =
  | { type: 'ready'; pid: number }
  | { type: 'batch'; batch: TrainingBatch }
  /** `index` null: the init (or an unreadable request) failed. */
  | { type: 'error'; index: number | null; message: string };

export const caseIdsOf = (source: CaseSourceSpec): string[] => source.cases.map((item) => item.id);
