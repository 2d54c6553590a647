/**
 * Differentiable search. The architecture parameters on a synthetic problem (each op of a cell has
 * a fixed loss, the mixed loss is their weighted sum): DARTS's softmax relaxation and the
 * straight-through Gumbel-softmax both move alpha toward the cheapest op, and a state saved midway
 * continues exactly. Then whole search jobs on the embedded sample with tiny budgets: DARTS (V-NAS)
 * and Gumbel each end in a model folder whose ONNX export passes parity, with the architecture
 * weights recorded per step; a DARTS search cancelled after a checkpoint and resumed ends exactly
 * like an uninterrupted one.
 */
import * as tf from '@tensorflow/tfjs';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../engine/backend/select-backend.ts';
import { createRandom } from '../../../engine/runtime/random.ts';
import { decodeTensorFile } from '../../../engine/runtime/tensor-file.ts';
import { annealedTemperature, ArchitectureParameters, gumbelNoise, type ArchDecision, type Relaxation } from '../../../engine/search/differentiable/architecture-parameters.ts';
import { runSearchJob, type SearchJobParams } from '../../../engine/search/search-job.ts';
import { voxnasInProcess as voxnas } from '../../support/cli.ts';

const DECISIONS: ArchDecision[] = [
  { id: 'enc0.cell0', choices: ['conv2d3', 'conv3', 'p3d3'] },
  { id: 'dec0.cell0', choices: ['conv2d3', 'conv3'] },
];
/** The loss of each op alone: the cheapest is conv3 in the first cell, conv2d3 in the second. */
const OP_LOSS: Record<string, number[]> = { 'enc0.cell0': [1, 0.2, 0.6], 'dec0.cell0': [0.3, 0.9] };
const syntheticLoss = (mix: Record<string, tf.Tensor1D>) => tf.addN(DECISIONS.map((decision) => tf.sum(tf.mul(mix[decision.id]!, tf.tensor1d(OP_LOSS[decision.id]!))))) as tf.Scalar;

/** `steps` architecture steps; Gumbel noise of step n from fork(n). */
async function train(parameters: ArchitectureParameters, relaxation: (step: number) => Relaxation, from: number, to: number): Promise<number[]> {
  const losses: number[] = [];
  for (let step = from; step < to; step += 1) losses.push(await parameters.step(syntheticLoss, relaxation(step)));
  return losses;
}

const gumbel = (step: number): Relaxation => ({ kind: 'gumbel', temperature: annealedTemperature(step / 300, 5, 0.2), hard: true, noise: gumbelNoise(DECISIONS, createRandom(3).fork('noise').fork(step)) });

describe('architecture parameters', () => {
  it('DARTS (softmax): alpha moves toward the op with the lowest loss in every cell', async () => {
    const parameters = new ArchitectureParameters(DECISIONS);
    parameters.initialise(createRandom(1));
    const losses = await train(parameters, () => ({ kind: 'softmax' }), 0, 300);
    const softmax = parameters.softmax();
    expect(parameters.argmax()).toEqual({ 'enc0.cell0': 1, 'dec0.cell0': 0 });
    expect(softmax['enc0.cell0']![1]).toBeGreaterThan(0.6);
    expect(softmax['dec0.cell0']![0]).toBeGreaterThan(0.7);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]! - 0.3);
    parameters.dispose();
  });

  it('Gumbel, straight-through: one-hot samples in the forward pass, annealed temperature, and alpha still finds the cheapest ops', async () => {
    expect([0, 0.5, 1, 2].map((progress) => annealedTemperature(progress, 5, 0.2))).toEqual([5, 2.6, 0.2, 0.2]);
    const parameters = new ArchitectureParameters(DECISIONS);
    parameters.initialise(createRandom(1));
    const sample = parameters.sample(gumbel(0));
    for (const weights of Object.values(sample)) expect(weights.filter((weight) => weight === 1)).toHaveLength(1);
    await train(parameters, gumbel, 0, 300);
    expect(parameters.argmax()).toEqual({ 'enc0.cell0': 1, 'dec0.cell0': 0 });
    parameters.dispose();
  });

  it('a state saved midway (alpha and its Adam slots) continues exactly like the uninterrupted parameters', async () => {
    const whole = new ArchitectureParameters(DECISIONS);
    whole.initialise(createRandom(2));
    await train(whole, gumbel, 0, 20);
    const halfway = new ArchitectureParameters(DECISIONS);
    halfway.initialise(createRandom(2));
    await train(halfway, gumbel, 0, 10);
    const resumed = new ArchitectureParameters(DECISIONS);
    resumed.restore(JSON.parse(JSON.stringify(await halfway.state())));
    await train(resumed, gumbel, 10, 20);
    expect(await resumed.state()).toEqual(await whole.state());
    const broken = { ...(await whole.state()), alpha: { 'enc0.cell0': [0, 0] } };
    expect(() => resumed.restore(broken)).toThrow('decision enc0.cell0 needs 3 values in the saved state, found 2');
    [whole, halfway, resumed].forEach((parameters) => parameters.dispose());
  });
});

const root = mkdtempSync(join(tmpdir(), 'voxnas-differentiable-'));
const planned = join(root, 'planned');

const DARTS: Omit<SearchJobParams, 'workspace'> = {
  strategy: 'darts',
  budgetSeconds: 3600,
  seed: 4,
  maxSearchSteps: 3,
  differentiable: { warmupSteps: 1, checkpointEvery: 1 },
  finalSteps: 2,
};

beforeAll(async () => {
  await selectBackend({});
  expect((await voxnas('plan', 'resources/sample', '-w', planned, '--workers', '0')).code).toBe(0);
}, 120_000);

describe('differentiable search jobs on resources/sample', () => {
  it('DARTS (V-NAS): alternating weight and architecture steps, argmax derivation, retrained from scratch into a verified model folder', async () => {
    const workspace = join(root, 'darts');
    cpSync(planned, workspace, { recursive: true });
    const events: string[] = [];
    const result = await runSearchJob({ ...DARTS, workspace }, { onEvent: (event) => events.push(`${event.source}:${event.event.type}`) });
    expect(result).not.toBeNull();
    expect(result!.metrics.onnxParity.passed).toBe(true);
    expect(events.filter((event) => event === 'darts:arch-step')).toHaveLength(3);
    const alphas = JSON.parse(readFileSync(join(result!.runFolder, 'alphas.json'), 'utf8'));
    expect(alphas.decisions).toHaveLength(11);
    expect(alphas.history.map((record: { step: number; architectureLoss: number | null }) => [record.step, record.architectureLoss === null])).toEqual([
      [1, true],
      [2, false],
      [3, false],
    ]);
    const last = alphas.history[2].softmax;
    expect(Object.keys(last)).toHaveLength(11);
    for (const weights of Object.values(last) as number[][]) expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(alphas.selected.point).toEqual(Object.fromEntries(Object.entries(last as Record<string, number[]>).map(([id, weights]) => [id, weights.indexOf(Math.max(...weights))])));
    const card = readFileSync(join(result!.model, 'model-card.md'), 'utf8');
    expect(card).toContain('V-NAS/DARTS');
    expect(card).toContain('from scratch');
  }, 300_000);

  it('DARTS: cancelled after a checkpoint and resumed, it ends exactly like the uninterrupted run', async () => {
    const workspace = join(root, 'darts-resumed');
    cpSync(planned, workspace, { recursive: true });
    const controller = new AbortController();
    const first = await runSearchJob({ ...DARTS, workspace }, { signal: controller.signal, onEvent: (event) => event.event.type === 'arch-step' && controller.abort() });
    expect(first).toBeNull();
    const events: string[] = [];
    const resumed = await runSearchJob({ ...DARTS, workspace }, { onEvent: (event) => events.push(event.event.type) });
    expect(events).toContain('search-resumed');
    expect(events.filter((type) => type === 'arch-step')).toHaveLength(2);
    const uninterrupted = join(root, 'darts', 'runs', resumed!.runId);
    const [a, b] = [uninterrupted, resumed!.runFolder].map((folder) => JSON.parse(readFileSync(join(folder, 'alphas.json'), 'utf8')));
    expect(b).toEqual(a);
    const weightsOf = (model: string) => decodeTensorFile(readFileSync(join(model, 'weights.vxtf'))).tensors;
    const final = weightsOf(resumed!.model);
    for (const [name, tensor] of weightsOf(join(root, 'darts', 'models', resumed!.runId))) expect(Array.from(final.get(name)!.data), name).toEqual(Array.from(tensor.data));
  }, 300_000);

  it('Gumbel-softmax: one sampled op per cell, the temperature annealed over the steps, into a verified model folder', async () => {
    const workspace = join(root, 'gumbel');
    cpSync(planned, workspace, { recursive: true });
    const result = await runSearchJob({ workspace, strategy: 'gumbel', budgetSeconds: 3600, seed: 6, maxSearchSteps: 3, differentiable: { warmupSteps: 0, checkpointEvery: 2 }, finalSteps: 2 });
    expect(result).not.toBeNull();
    expect(result!.metrics.onnxParity.passed).toBe(true);
    const alphas = JSON.parse(readFileSync(join(result!.runFolder, 'alphas.json'), 'utf8'));
    expect(alphas.history.map((record: { temperature: number }) => Math.round(record.temperature * 1000) / 1000)).toEqual([5, 3.4, 1.8]);
    expect(alphas.history.every((record: { architectureLoss: number | null }) => record.architectureLoss !== null)).toBe(true);
    expect(readFileSync(join(result!.model, 'model-card.md'), 'utf8')).toContain('Gumbel-softmax (straight-through samples');
  }, 300_000);
});
