/**
 * Which function runs each job kind. Every job module is imported when a job of its kind first
 * runs, not when the worker starts: TensorFlow.js, onnxruntime and the readers load on demand, so
 * the worker answers `hello` at once and an import job never loads the training code.
 */
import type { WorkerJobKind } from '../api/worker-messages.ts';
import type { JobFunction } from './job-context.ts';

export const JOB_LOADERS = {
  import: async () => (await import('./import-job.ts')).runImportJob,
  plan: async () => (await import('./plan-job.ts')).runPlanJob,
  train: async () => (await import('./train-job.ts')).runTrainJob,
  search: async () => (await import('./search-job.ts')).runSearchJob,
  predict: async () => (await import('./predict-job.ts')).runPredictJob,
  export: async () => (await import('./export-job.ts')).runExportJob,
  evaluate: async () => (await import('./evaluate-job.ts')).runEvaluateJob,
} satisfies Record<WorkerJobKind, () => Promise<JobFunction>>;

export const isJobKind = (kind: unknown): kind is WorkerJobKind => typeof kind === 'string' && Object.hasOwn(JOB_LOADERS, kind);
