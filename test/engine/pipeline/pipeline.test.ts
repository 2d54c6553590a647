/**
 * The pipeline through the CLI on the embedded sample: plan, train a tiny network, predict with the
 * tfjs executor and with onnxruntime-node (same masks), masks in the source geometry, evaluate; and
 * a training run killed with SIGKILL that continues exactly where its checkpoint left off.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readVolume } from '../../../engine/io/read-volume.ts';
import { affineRas } from '../../../engine/io/volume.ts';
import { decodeTensorFile } from '../../../engine/runtime/tensor-file.ts';
import { REFERENCE_GENOME } from '../../support/test-genomes.ts';
import { voxnasInProcess as voxnas } from '../../support/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'voxnas-pipeline-'));
const workspace = join(root, 'ws');
const genomePath = join(root, 'tiny.json');
/** Small enough to train in seconds on a CI machine; the plan's patch (40x56x40) is a multiple of its divisor 4. */
const TINY = { ...REFERENCE_GENOME, widths: [4, 8, 8], deepSupervision: 1 };
const TRAIN = ['train', '-w', workspace, '--genome', genomePath, '--fold', '0', '--budget', '12steps', '--validate-every', '4', '--seed', '3', '--json'];


const weightsOf = (modelFolder: string) => decodeTensorFile(readFileSync(join(modelFolder, 'weights.vxtf'))).tensors;

/** events.jsonl as objects; a line cut short by a kill -9 is skipped, as every reader of the file must. */
function readEvents(path: string): { type: string; step: number }[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        return line.trim() ? [JSON.parse(line)] : [];
      } catch {
        return [];
      }
    });
}

beforeAll(async () => {
  writeFileSync(genomePath, JSON.stringify(TINY));
  const planned = await voxnas('plan', 'resources/sample', '-w', workspace);
  expect(planned.code).toBe(0);
}, 120_000);

describe('plan -> train -> predict -> evaluate on resources/sample', () => {
  let model = '';

  it('trains, validates, and writes a model folder whose ONNX export matches tfjs', async () => {
    const trained = await voxnas(...TRAIN);
    expect(trained.code).toBe(0);
    const report = JSON.parse(trained.stdout);
    model = report.model;
    expect(report).toMatchObject({ reason: 'steps', steps: 12, onnxParity: { passed: true } });
    expect(readdirSync(model).sort()).toEqual(['genome.json', 'metrics.json', 'model-card.md', 'model.onnx', 'plans.json', 'weights.vxtf']);
    const events = readEvents(join(workspace, 'runs', report.runId, 'events.jsonl'));
    expect(events.filter((event) => event.type === 'validation').map((event) => event.step)).toEqual([4, 8, 12]);
  }, 240_000);

  it('predicts the same masks with tfjs and onnxruntime, in the geometry of each source image', async () => {
    const outputs = { tfjs: join(root, 'pred-tfjs'), onnx: join(root, 'pred-onnx') };
    for (const [runtime, output] of Object.entries(outputs)) {
      expect((await voxnas('predict', '--model', model, '--input', 'resources/sample/imagesTr', '--output', output, '--runtime', runtime)).code).toBe(0);
    }
    const names = readdirSync('resources/sample/imagesTr').sort();
    expect(readdirSync(outputs.tfjs).sort()).toEqual(names);
    for (const name of names) {
      const read = async (path: string) => (await readVolume(path)).volume;
      const [source, tfjs, onnx] = [await read(join('resources/sample/imagesTr', name)), await read(join(outputs.tfjs, name)), await read(join(outputs.onnx, name))];
      expect({ dims: tfjs.dims, affine: affineRas(tfjs) }).toEqual({ dims: source.dims, affine: affineRas(source) });
      const differing = Array.from(tfjs.data).filter((value, index) => value !== onnx.data[index]).length;
      expect(differing).toBeLessThanOrEqual(tfjs.data.length * 1e-4); // ties between classes may break either way
    }
    // model.onnx alone carries its preprocessing: the same masks as through the model folder.
    const bare = join(root, 'pred-onnx-file');
    expect((await voxnas('predict', '--model', join(model, 'model.onnx'), '--input', 'resources/sample/imagesTr', '--output', bare)).code).toBe(0);
    for (const name of names) {
      const [viaFolder, viaFile] = [await readVolume(join(outputs.onnx, name)), await readVolume(join(bare, name))];
      expect(Array.from(viaFile.volume.data)).toEqual(Array.from(viaFolder.volume.data));
    }
    const evaluated = await voxnas('evaluate', '--pred', outputs.tfjs, '--labels', 'resources/sample/labelsTr', '--json');
    expect(evaluated.code).toBe(0);
    expect(JSON.parse(evaluated.stdout).cases).toHaveLength(10);
  }, 240_000);
});

describe('resume after kill -9', () => {
  it('continues from the last checkpoint and ends with the same weights and metrics as an uninterrupted run', async () => {
    // The uninterrupted run is the one above (same config, same seed, same backend).
    const interruptedWorkspace = join(root, 'ws-killed');
    cpSync(workspace, interruptedWorkspace, { recursive: true, filter: (path) => !path.includes(`${join(workspace, 'runs')}`) && !path.includes(`${join(workspace, 'models')}`) });
    const args = TRAIN.map((arg) => (arg === workspace ? interruptedWorkspace : arg));
    const child = spawn(process.execPath, ['engine/cli/bin.mjs', ...args], { stdio: 'ignore' });
    const runs = join(interruptedWorkspace, 'runs');
    // Kill as soon as the checkpoint after step 4 or 8 is on disk, mid-way through the next interval.
    for (let waited = 0; ; waited += 100) {
      const run = existsSync(runs) ? readdirSync(runs)[0] : undefined;
      const events = run ? join(runs, run, 'events.jsonl') : '';
      if (events && existsSync(events) && readFileSync(events, 'utf8').includes('"type":"validation"')) break;
      if (waited > 180_000) throw new Error('the training run wrote no checkpoint in 3 minutes');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGKILL');
    await once(child, 'exit');
    const resumed = await voxnas(...args);
    expect(resumed.code).toBe(0);
    const report = JSON.parse(resumed.stdout);
    const run = join(runs, report.runId);
    const events = readEvents(join(run, 'events.jsonl'));
    expect(events.some((event) => event.type === 'resumed' && event.step > 0)).toBe(true);
    const reference = JSON.parse(readFileSync(join(firstModelFolder(), 'metrics.json'), 'utf8'));
    const metrics = JSON.parse(readFileSync(join(report.model, 'metrics.json'), 'utf8'));
    // Exact: same batches (a function of seed and step), same optimizer state, deterministic kernels.
    expect(metrics.validation).toEqual(reference.validation);
    const [a, b] = [weightsOf(firstModelFolder()), weightsOf(report.model)];
    const largest = Math.max(...[...a].map(([name, tensor]) => Math.max(...tensor.data.map((value, index) => Math.abs(value - b.get(name)!.data[index]!)))));
    expect(largest).toBeLessThanOrEqual(1e-6);
  }, 300_000);
});

function firstModelFolder(): string {
  const models = join(workspace, 'models');
  return join(models, readdirSync(models)[0]!);
}
