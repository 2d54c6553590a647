/**
 * The vocabulary of architecture search, by role (see the architecture guide):
 * - a search space turns a plain JSON point into a genome (sample, mutate);
 * - a strategy proposes points and learns from results; it never sees tensors, files or Electron;
 * - an evaluator trains/evaluates one candidate under a budget and returns metrics or a failure;
 * - an execution engine runs evaluations (in process, or in a pool of worker processes).
 * `runSearch` (run-search.ts) ties them together and persists the run in the workspace.
 */
import type { Genome } from '../api/genome.ts';
import type { Random } from '../runtime/random.ts';

/** Any JSON value (strategy state, evaluator options): what survives JSON.stringify/parse unchanged. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A point of a search space: decision id -> index of the chosen option. */
export type Point = Record<string, number>;

/**
 * The part of a search space that search needs. The real spaces (engine/space) satisfy it; until
 * they land, tests use a toy space. Contracts: `sample` and `mutate` draw only from the given
 * Random (same stream state -> same point); `toGenome` is pure; `key` is a canonical string of the point.
 */
export interface SearchSpaceLike {
  /** Names the space in run.json (a resumed run must use the same space). */
  readonly id: string;
  sample(random: Random): Point;
  mutate(point: Point, random: Random): Point;
  toGenome(point: Point): Genome;
  key(point: Point): string;
}

/** What a strategy proposes: a point (the engine derives its genome and archId). */
export interface Proposal {
  point: Point;
}

/** Status of one trial; the state machine is in run-search.ts. */
export type TrialStatus = 'queued' | 'training' | 'trained' | 'failed' | 'rejected' | 'interrupted';

/** Metrics of a trained candidate. Dice values are in [0, 1]; seconds is the evaluator's own account. */
export interface CandidateMetrics {
  meanDice: number;
  /** Mean Dice per foreground class, in label order. */
  perClass: number[];
  seconds: number;
  /** Anything else the evaluator reports (steps, loss, ...): plain JSON. */
  [extra: string]: Json;
}

/** One finished (or rejected) trial as the strategy sees it, in the order the trials were proposed. */
export interface TrialResult {
  index: number;
  archId: string;
  point: Point;
  status: 'trained' | 'failed' | 'rejected';
  metrics: CandidateMetrics | null;
  reason: string | null;
}

/**
 * A search strategy. Contracts: `propose(n)` returns at most n proposals (fewer, or none, when it
 * has nothing new to offer: an empty list with nothing in flight ends the search); results reach
 * `observe` in proposal order, each exactly once; `state()` is JSON that `restore` turns back into
 * the same strategy (same future proposals), so a resumed run continues exactly.
 */
export interface Strategy {
  propose(count: number): Proposal[];
  observe(results: TrialResult[]): void;
  state(): Json;
  restore(state: Json): void;
}

/** Builds a strategy for a space; `random` is the strategy's own stream (derived from the run's seed). */
export interface StrategyFactory {
  /** Names the strategy in run.json. */
  readonly name: string;
  /** The strategy's settings as recorded in run.json (a resumed run must use the same ones). */
  readonly config: Json;
  create(space: SearchSpaceLike, random: Random): Strategy;
}

/** One candidate to evaluate. */
export interface Candidate {
  index: number;
  archId: string;
  point: Point;
  genome: Genome;
}

/** The training shape an evaluation gets: [D, H, W] patch, batch size, and an optional time limit. */
export interface EvaluationBudget {
  patch: [number, number, number];
  batch: number;
  wallSeconds: number | null;
}

/** An evaluation's outcome; a thrown error counts as a failure with its message. */
export type EvaluationOutcome = { ok: true; metrics: CandidateMetrics } | { ok: false; reason: string };

/**
 * Trains/evaluates one candidate. Contracts: it returns (or throws) promptly once `signal` aborts;
 * an out-of-memory failure says so in its message ("out of memory" / "allocation failed").
 */
export interface Evaluator {
  evaluate(candidate: Candidate, budget: EvaluationBudget, signal: AbortSignal): Promise<EvaluationOutcome>;
  close?(): Promise<void>;
}

/**
 * An evaluator as data, so a worker process can build its own: `import(module)[exportName](options)`.
 * `module` is an absolute path (a .ts file needs tsx, which the worker pool loads).
 */
export interface EvaluatorRef {
  module: string;
  exportName: string;
  options: Json;
}

/** A running engine: evaluates up to `capacity` candidates at once. */
export interface EngineSession {
  readonly capacity: number;
  evaluate(candidate: Candidate, budget: EvaluationBudget, signal: AbortSignal): Promise<EvaluationOutcome>;
  close(): Promise<void>;
}

/** Runs evaluations: `open` starts it for one evaluator (a worker pool needs an EvaluatorRef). */
export interface ExecutionEngine {
  readonly name: string;
  open(evaluator: Evaluator | EvaluatorRef): Promise<EngineSession>;
}

/** Limits of a run; null or absent: no limit. */
export interface SearchBudgets {
  /** Seconds of search, summed over restarts; no new trial starts after it (running ones finish). */
  wallSeconds?: number | null;
  /** Trials of any status (rejected ones included), summed over restarts. */
  candidates?: number | null;
  /** Training memory estimate above which a candidate is rejected (see memory.ts). */
  memoryBytes?: number | null;
  /** Time limit given to each evaluation (EvaluationBudget.wallSeconds). */
  candidateSeconds?: number | null;
}

/** What a candidate is trained with; the memory estimate is made for this shape. */
export interface TrainingShape {
  /** [D, H, W]. */
  patch: [number, number, number];
  batch: number;
  inputChannels: number;
  classes: number;
  /** Activation bytes are multiplied by this (forward activations kept + their gradients); default 2. */
  trainingFactor?: number;
}
