/**
 * A training run that validates rarely (a random-search candidate is scored only at its end) still
 * writes its last checkpoint every `checkpointEvery` steps: cancelled mid-run and run again, it
 * resumes from that checkpoint instead of its first step and ends with exactly the weights of an
 * uninterrupted run.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { toTensorOrder } from '../../../engine/api/plans.ts';
import { selectBackend } from '../../../engine/backend/select-backend.ts';
import { loadCheckpoint } from '../../../engine/train/checkpoint.ts';
import { REFERENCE_ADAM } from '../../../engine/train/optimizers.ts';
import { caseRefs, workspaceFold } from '../../../engine/train/train-workspace.ts';
import { runTraining, type TrainingConfig, type TrainingEvent, type TrainingState } from '../../../engine/train/training-run.ts';
import { voxnasInProcess as voxnas } from '../../support/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'voxnas-checkpoint-every-'));
const workspace = join(root, 'ws');

beforeAll(async () => {
  await selectBackend({});
  expect((await voxnas('plan', 'resources/sample', '-w', workspace, '--workers', '0')).code).toBe(0);
}, 120_000);

describe('runTraining checkpointEvery', () => {
  it('cancelled between validations, a run resumes from its last periodic checkpoint and ends as an uninterrupted one', async () => {
    const { plans, folder, fold } = await workspaceFold(workspace, 0);
    const config: TrainingConfig = {
      genome: plans.network.genome,
      fold: 0,
      seed: 3,
      optimizer: REFERENCE_ADAM,
      maxSteps: 6,
      wallSeconds: null,
      validateEvery: Number.MAX_SAFE_INTEGER,
      batchSize: 1,
      patchSize: toTensorOrder(plans.patchSize),
      augmentation: false,
      dataId: plans.dataId,
      classes: plans.labelValues.length,
      inputChannels: plans.dataset.channels.length,
    };
    const common = { config, trainCases: caseRefs(folder, fold.train), validationCases: [], wholeVolumeVoxels: 1, reportEvery: 1, checkpointEvery: 2 };

    const reference = await runTraining({ ...common, runFolder: join(root, 'reference') });
    expect(reference).toMatchObject({ reason: 'steps', state: { step: 6 } });

    const runFolder = join(root, 'interrupted');
    const controller = new AbortController();
    const first = await runTraining({ ...common, runFolder, signal: controller.signal, onEvent: (event) => { if (event.type === 'step' && event.step === 3) controller.abort(); } });
    expect(first).toMatchObject({ reason: 'cancelled', state: { step: 3 } });
    const saved = await loadCheckpoint<TrainingState>(join(runFolder, 'checkpoints'), 'last');
    expect(saved?.state.step).toBe(2);

    const events: TrainingEvent[] = [];
    const resumed = await runTraining({ ...common, runFolder, onEvent: (event) => events.push(event) });
    expect(events[0]).toMatchObject({ type: 'resumed', step: 2 });
    expect(events.filter((event) => event.type === 'step').map((event) => event.step)).toEqual([3, 4, 5, 6]);
    expect(resumed.state.step).toBe(6);
    expect([...resumed.weights.keys()]).toEqual([...reference.weights.keys()]);
    for (const [name, values] of reference.weights) expect(resumed.weights.get(name), name).toEqual(values);
  }, 300_000);
});
