/** Architecture search: roles (types.ts), run persistence, engines, random search, fake evaluator. */
export * from './types.ts';
export { runSearch, type RunSearchOptions, type SearchEvent, type SearchOutcome, type StopReason, type TrialSummary } from './run-search.ts';
export { readEvents, readRunFile, runFolderOf, candidateFolder, type SearchRunFile, type SearchRunSpec, type TrialFile, type TrialEntry, type FinishReason } from './run-store.ts';
export { sequentialEngine } from './engines.ts';
export { workerPoolEngine, type WorkerPoolOptions } from './worker-pool.ts';
export { randomSearch, type RandomSearchConfig } from './random-search.ts';
export { createFakeEvaluator, fakeEvaluatorRef, fakeDice, type FakeEvaluatorOptions, type FakeFailure } from './fake-evaluator.ts';
export { loadEvaluator } from './evaluator-ref.ts';
export { trainingMemory, isOutOfMemory, BYTES_PER_PARAMETER, DEFAULT_TRAINING_FACTOR, type MemoryEstimate } from './memory.ts';
export { ronasmisSearch, ronasmisHistory, asDiscreteSpace, isDiscreteSpace, type RonasmisConfig, type ControllerStepRecord, type DiscreteSpace, type DiscreteSearchSpace } from './strategies/ronasmis-search.ts';
