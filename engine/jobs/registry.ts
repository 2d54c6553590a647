/**
 * Which function runs each job kind. Every job module is imported when a job of its kind first
 * runs, not when the worker starts: TensorFlow.js, onnxruntime and the readers load on demand, so
 * the worker answers `hello` at once and an import job never loads the training code.
 */
import type { WorkerJobKind } from '../api/worker-messages.ts';
import { JobCancelledError, progress, type JobFunction } from './job-context.ts';

/**
 * The search job comes from engine/search/search-job.ts: `runSearchJob(params + workspace,
 * { signal, onEvent })`, which resolves to null when cancelled. Until that module is committed the
 * specifier is a variable, so that type checking and the bundler do not require it; make it a
 * literal import once the module is there (the bundled worker only contains literal imports).
 */
const SEARCH_JOB_MODULE = '../search/search-job.ts';

type SearchModule = {
  runSearchJob?: (params: Record<string, unknown>, context: { signal?: AbortSignal; onEvent?: (event: unknown) => void }) => Promise<Record<string, unknown> | null>;
};

async function loadSearchJob(): Promise<JobFunction> {
  let module: SearchModule;
  try {
    module = (await import(/* @vite-ignore */ SEARCH_JOB_MODULE)) as SearchModule;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new Error('Architecture search is not available yet in this version of VoxNAS: train a fixed network (a train job) instead.', { cause: error });
    throw error;
  }
  const run = module.runSearchJob;
  if (typeof run !== 'function') throw new Error('Architecture search is not available yet in this version of VoxNAS (engine/search/search-job.ts has no runSearchJob): train a fixed network (a train job) instead.');
  return async (params, context) => {
    const result = await run(
      { ...params, workspace: context.workspace },
      {
        signal: context.signal,
        onEvent: (event) => {
          context.emit({ type: 'engine', data: event });
          const phase = event as { source?: string; event?: { type?: string; message?: string } };
          if (phase.source === 'job' && typeof phase.event?.message === 'string') context.emit(progress(null, phase.event.message));
        },
      },
    );
    if (result === null) throw new JobCancelledError('The search');
    return result;
  };
}

export const JOB_LOADERS = {
  import: async () => (await import('./import-job.ts')).runImportJob,
  plan: async () => (await import('./plan-job.ts')).runPlanJob,
  train: async () => (await import('./train-job.ts')).runTrainJob,
  search: loadSearchJob,
  predict: async () => (await import('./predict-job.ts')).runPredictJob,
  export: async () => (await import('./export-job.ts')).runExportJob,
} satisfies Record<WorkerJobKind, () => Promise<JobFunction>>;

export const isJobKind = (kind: unknown): kind is WorkerJobKind => typeof kind === 'string' && Object.hasOwn(JOB_LOADERS, kind);
