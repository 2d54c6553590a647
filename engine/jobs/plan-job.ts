/**
 * The 'plan' job: on an imported workspace (dataset.json + fingerprint.json), plan spacing,
 * normalization, patch, batch and network (plans.json), then preprocess every training case into
 * preprocessed/<dataId>/. `voxnas plan` runs the same `planWorkspace` after its import. Idempotent:
 * cases already in the cache for this plan are reused.
 */
import { join } from 'node:path';
import type { DatasetJson } from '../api/dataset.ts';
import { FINGERPRINT_FILE, type FingerprintJson } from '../api/fingerprint.ts';
import { PLANS_FILE, type PlansJson } from '../api/plans.ts';
import { migrateDocument } from '../api/validation.ts';
import { GIB } from '../data/plan-network.ts';
import { planExperiment } from '../data/plan.ts';
import { preprocessDataset, type PreprocessProgress, type PreprocessSummary } from '../data/preprocess/preprocess-dataset.ts';
import { readValidatedJson } from '../io/read-json-file.ts';
import { writeFileAtomic } from '../runtime/atomic-write.ts';
import { readDatasetFile } from '../runtime/workspace-files.ts';
import { JobCancelledError, progress, throwIfCancelled, type JobFunction } from './job-context.ts';
import { integer, oneOf, optional, positiveNumber, readParams } from './job-params.ts';

export interface PlanWorkspaceOptions {
  device: 'cpu' | 'gpu';
  /** Memory budget in GiB; default: the planner's (8 on gpu, from free memory on cpu). */
  budgetGb?: number;
  /** Preprocessing processes; 0 = this process. */
  workers: number;
  signal?: AbortSignal;
  onProgress?(progress: PreprocessProgress): void;
}

/** Plans the experiment, writes plans.json atomically, and fills the preprocessing cache. */
export async function planWorkspace(workspace: string, dataset: DatasetJson, fingerprint: FingerprintJson, options: PlanWorkspaceOptions): Promise<{ plans: PlansJson; preprocessing: PreprocessSummary }> {
  const plans = planExperiment(fingerprint, dataset, { device: options.device, ...(options.budgetGb === undefined ? {} : { budgetBytes: Math.round(options.budgetGb * GIB) }) });
  await writeFileAtomic(join(workspace, PLANS_FILE.fileName), `${JSON.stringify(plans, null, 2)}\n`);
  const preprocessing = await preprocessDataset(workspace, dataset, plans, {
    workers: options.workers,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return { plans, preprocessing };
}

const readFingerprintFile = (workspace: string): Promise<FingerprintJson> =>
  readValidatedJson(join(workspace, FINGERPRINT_FILE.fileName), (document) => migrateDocument(FINGERPRINT_FILE, document), {
    unreadable: 'does not exist',
    hint: 'Import the dataset into this workspace first.',
  });

export const runPlanJob: JobFunction = async (rawParams, context) => {
  const params = readParams<{ device: 'cpu' | 'gpu'; budgetGb?: number; workers: number }>('plan', rawParams, {
    device: optional(oneOf(['cpu', 'gpu'] as const), 'cpu'),
    budgetGb: optional(positiveNumber),
    workers: optional(integer(0, 64), 2),
  });
  const [dataset, fingerprint] = await Promise.all([readDatasetFile(context.workspace), readFingerprintFile(context.workspace)]);
  context.emit(progress(0, `Planning ${dataset.name}`));
  let outcome;
  try {
    outcome = await planWorkspace(context.workspace, dataset, fingerprint, {
      ...params,
      signal: context.signal,
      onProgress: ({ done, total, caseId, reused }) => context.emit(progress(done / total, `${reused ? 'Reused' : 'Preprocessed'} ${caseId} (${done} of ${total})`)),
    });
  } catch (error) {
    throwIfCancelled(context.signal, 'Planning');
    throw error;
  }
  const { plans, preprocessing } = outcome;
  if (context.signal.aborted) throw new JobCancelledError('Planning');
  context.emit({ type: 'log', message: plans.reasoning.join('\n') });
  context.emit(progress(1, `Planned patch ${plans.patchSize.join(' x ')}, batch ${plans.batchSize}; ${preprocessing.computed} cases preprocessed, ${preprocessing.reused} reused`));
  return {
    dataId: plans.dataId,
    patchSize: plans.patchSize,
    batchSize: plans.batchSize,
    targetSpacing: plans.targetSpacing,
    preprocessing: { folder: preprocessing.folder, cases: preprocessing.cases, computed: preprocessing.computed, reused: preprocessing.reused, seconds: preprocessing.seconds },
  };
};
