import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx } from '../../../engine/export/export-onnx.ts';
import { ndhwcToNcdhw, type Shape5 } from '../../../engine/export/layout.ts';
import { fromMetadataProps } from '../../../engine/export/onnx-metadata-props.ts';
import { readOnnxMetadata } from '../../../engine/export/read-onnx.ts';
import { verifyOnnxParity } from '../../../engine/export/verify-parity.ts';
import { isChoice } from '../../../engine/network/genome.ts';
import { OP_NAMES } from '../../../engine/network/op-registry.ts';
import { caseMetadata, caseSpec, EXPORT_CASES, type ExportCase } from './support/export-cases.ts';
import { randomWeights, referenceProbabilities, seededNormal, useCpuBackend } from './support/reference-forward.ts';

/** Runs the exported model and the tfjs reference on one seeded input; returns the parity result. */
async function parity(entry: ExportCase, bytes: Uint8Array, weights: Map<string, Float32Array>, [batch, channels, depth, height, width]: Shape5, seed: number) {
  const spec = caseSpec(entry);
  const normal = seededNormal(seed);
  const ndhwc = Float32Array.from({ length: batch * channels * depth * height * width }, normal);
  const expected = referenceProbabilities(spec, weights, ndhwc, [batch, depth, height, width, channels], entry.path);
  return verifyOnnxParity(bytes, { data: ndhwcToNcdhw(ndhwc, [batch, depth, height, width, channels]), shape: [batch, channels, depth, height, width] }, ndhwcToNcdhw(expected, [batch, depth, height, width, entry.classes]));
}

describe('ONNX export: onnxruntime-node matches an independent tfjs (cpu) forward pass', () => {
  beforeAll(useCpuBackend);
  const figures: string[] = [];
  afterAll(() => console.info(`ONNX parity (onnxruntime-node vs tfjs cpu):\n  ${figures.join('\n  ')}`));

  EXPORT_CASES.forEach((entry, index) => {
    it(`${entry.name}: probabilities within 1e-4 at ${entry.inputs.map((shape) => shape.join('x')).join(' and ')}`, async () => {
      const spec = caseSpec(entry);
      const weights = randomWeights(spec, 1000 + index);
      const bytes = exportOnnx(spec, weights, caseMetadata(entry), { path: entry.path });
      for (const [inputIndex, shape] of entry.inputs.entries()) {
        const result = await parity(entry, bytes, weights, shape, 7 + inputIndex);
        figures.push(`${entry.name} @ ${shape.join('x')}: max |difference| ${result.maxAbsDifference.toExponential(2)}`);
        expect(result).toMatchObject({ passed: true, outputShape: [shape[0], entry.classes, ...shape.slice(2)] });
      }
    });
  });

  it('the comparison notices a wrong weight (one kernel value changed after export)', async () => {
    const entry = EXPORT_CASES[0]!;
    const spec = caseSpec(entry);
    const weights = randomWeights(spec, 1000);
    const tampered = new Map(weights);
    const kernel = Float32Array.from(weights.get('dec0.cell1.conv3.step0.conv/kernel')!);
    kernel[13] = kernel[13]! + 0.5;
    tampered.set('dec0.cell1.conv3.step0.conv/kernel', kernel);
    const result = await parity(entry, exportOnnx(spec, tampered, caseMetadata(entry)), weights, [1, 1, 8, 8, 8], 3);
    expect(result.passed).toBe(false);
    expect(result.maxAbsDifference).toBeGreaterThan(1e-3);
  });

  it('the cases cover every op, skip, down and up type and deep supervision along their exported paths', () => {
    const used = EXPORT_CASES.map((entry) => {
      const spec = caseSpec(entry);
      const exported = fromMetadataProps(readOnnxMetadata(exportOnnx(spec, randomWeights(spec, 1), caseMetadata(entry), { path: entry.path })));
      if (!exported.ok) throw new Error(exported.errors.join('; '));
      return exported.value;
    });
    const ops = new Set(used.flatMap(({ genome }) => [...genome.encoder, ...genome.decoder].flat().map((cell) => (isChoice(cell) ? 'choice' : cell))));
    expect({
      ops: [...ops].sort(),
      skips: [...new Set(used.map(({ genome }) => genome.skip))].sort(),
      downs: [...new Set(used.map(({ genome }) => genome.down))].sort(),
      ups: [...new Set(used.map(({ genome }) => genome.up))].sort(),
      deepSupervision: used.some(({ genome }) => genome.deepSupervision > 0),
      supernet: used.some(({ supernet }) => supernet !== null),
    }).toEqual({
      ops: [...OP_NAMES].sort(),
      skips: ['add', 'concat', 'conv-add'],
      downs: ['max-pool', 'strided-conv'],
      ups: ['transposed-conv', 'trilinear-conv'],
      deepSupervision: true,
      supernet: true,
    });
  });
});
