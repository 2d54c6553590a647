import { beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx } from '../../../engine/export/export-onnx.ts';
import { ndhwcToNcdhw } from '../../../engine/export/layout.ts';
import { modelType } from '../../../engine/export/onnx-schema.ts';
import { verifyOnnxParity } from '../../../engine/export/verify-parity.ts';
import { archId } from '../../../engine/network/genome.ts';
import type { LayerNode, NetworkSpec } from '../../../engine/network/spec.ts';
import { caseMetadata, caseSpec, EXPORT_CASES, referenceGenome } from './support/export-cases.ts';
import { randomWeights, referenceProbabilities, seededNormal, useCpuBackend } from './support/reference-forward.ts';

interface DecodedNode {
  name: string;
  op_type: string;
  input: string[];
  attribute?: { name: string; f?: number; i?: number; s?: Uint8Array; ints?: number[] }[];
}

function decodedNodes(bytes: Uint8Array): DecodedNode[] {
  const model = modelType().toObject(modelType().decode(bytes), { longs: Number }) as { graph: { node: DecodedNode[]; initializer: { name: string }[] } };
  return model.graph.node;
}

/** A node's attributes as name -> value (strings decoded). */
const attributes = (node: DecodedNode) =>
  Object.fromEntries((node.attribute ?? []).map((attribute) => [attribute.name, attribute.ints ?? attribute.f ?? attribute.i ?? new TextDecoder().decode(attribute.s)]));

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  return 'no error';
}

describe('exportOnnx', () => {
  beforeAll(useCpuBackend);

  it('writes explicit attributes: TF same pads, dilations, a zero LeakyReLU slope, half-pixel trilinear resize; no auto_pad, no deep-supervision heads', () => {
    const entry = EXPORT_CASES[2]!;
    const spec = caseSpec(entry);
    // Deep-supervision heads are not exported, so their weights are not needed.
    const weights = new Map([...randomWeights(spec, 1)].filter(([name]) => !/^head[12]\//.test(name)));
    const nodes = decodedNodes(exportOnnx(spec, weights, caseMetadata(entry)));
    const find = (name: string) => ({ op: nodes.find((node) => node.name === name)!.op_type, ...attributes(nodes.find((node) => node.name === name)!) });
    expect({
      dil5: find('enc1.cell0.dil5.step0.conv'),
      p3d5: find('enc2.cell0.p3d5.step0.conv'),
      act: find('enc2.cell0.p3d5.step0.act'),
      norm: find('enc2.cell0.p3d5.step0.norm'),
      pool: find('down1.pool'),
      resize: find('up0.resize'),
      concat: find('skip0.concat'),
      softmax: find('probabilities.softmax'),
      autoPad: nodes.filter((node) => 'auto_pad' in attributes(node)).length,
      heads: nodes.filter((node) => node.name.startsWith('head')).map((node) => node.name),
    }).toEqual({
      dil5: { op: 'Conv', kernel_shape: [5, 5, 5], strides: [1, 1, 1], dilations: [2, 2, 2], pads: [4, 4, 4, 4, 4, 4], group: 1 },
      p3d5: { op: 'Conv', kernel_shape: [1, 5, 5], strides: [1, 1, 1], dilations: [1, 1, 1], pads: [0, 2, 2, 0, 2, 2], group: 1 },
      act: { op: 'LeakyRelu', alpha: 0 },
      norm: { op: 'InstanceNormalization', epsilon: expect.closeTo(1e-5, 10) },
      pool: { op: 'MaxPool', kernel_shape: [2, 2, 2], strides: [2, 2, 2], pads: [0, 0, 0, 0, 0, 0] },
      resize: { op: 'Resize', mode: 'linear', coordinate_transformation_mode: 'half_pixel' },
      concat: { op: 'Concat', axis: 1 },
      softmax: { op: 'Softmax', axis: 1 },
      autoPad: 0,
      heads: ['head0'],
    });
  });

  it('says which choice, weight or metadata field is wrong, and writes nothing', () => {
    const supernet = EXPORT_CASES[3]!;
    const spec = caseSpec(supernet);
    const weights = randomWeights(spec, 1);
    const metadata = caseMetadata(supernet);
    const without = (name: string) => new Map([...weights].filter(([key]) => key !== name));
    const short = new Map(weights).set('enc0.cell0.conv3.step0.norm/gamma', new Float32Array(3));
    expect([
      errorOf(() => exportOnnx(spec, weights, metadata)),
      errorOf(() => exportOnnx(spec, weights, metadata, { path: { ...supernet.path, 'enc0.cell1': 3 } })),
      errorOf(() => exportOnnx(spec, weights, metadata, { path: { ...supernet.path, 'enc2.cell0': 0 } })),
      errorOf(() => exportOnnx(spec, without('dec0.cell0.conv5.step0.conv/kernel'), metadata, { path: supernet.path })),
      errorOf(() => exportOnnx(spec, short, metadata, { path: supernet.path })),
      errorOf(() => exportOnnx(spec, weights, { ...metadata, genome: referenceGenome, labelNames: ['background'], labelValues: [0, 1, 1], patchSize: [32, 30, 16], extra: { archId: 'x' } }, { path: supernet.path })),
    ]).toEqual([
      'OnnxExportError: choice enc0.cell1 has no option in options.path: an export takes one path through a supernet; give its option index (0 = conv3, 1 = dil5, 2 = identity)',
      'OnnxExportError: options.path gives choice enc0.cell1 option 3, which does not exist (0 = conv3, 1 = dil5, 2 = identity)',
      'OnnxExportError: options.path names enc2.cell0, which is not a choice of this network (its choices: enc0.cell1, enc1.cell0, dec0.cell0)',
      'OnnxExportError: weights: no values for dec0.cell0.conv5.step0.conv/kernel (shape [5, 5, 5, 4, 4], tfjs layout)',
      'OnnxExportError: weights: enc0.cell0.conv3.step0.norm/gamma has 3 values, its shape [4] needs 4',
      `OnnxExportError: metadata does not fit the network: genome: its archId ${archId(referenceGenome)} is not the NetworkSpec's (${spec.archId}); pass the genome the spec was decoded from; ` +
        'labelNames: 1 names for 3 classes (background included); labelValues: expected 3 distinct non-negative integers (one per class), got [0,1,1]; patchSize: expected 3 positive multiples of 4, got [32,30,16]; extra.archId: the exporter writes this key itself',
    ]);
  });

  // Every kernel is at least its stride on each axis: for a kernel smaller than the stride, tfjs 4.22's
  // conv3d 'same' computes a negative pad (get3DPadAndOutInfo lacks the max(0, .) of TensorFlow and of
  // tfjs's own 2D version) and shifts the output; the exporter follows TensorFlow (pad 0 there).
  it("matches tfjs's asymmetric 'same' padding (even kernels, stride-2 3x2x5 and 4x4x2 convolutions) on a hand-built spec", async () => {
    const conv = (id: string, input: string, inChannels: number, kernel: [number, number, number], stride: 1 | 2, dilation: 1 | 2 = 1): LayerNode => ({ op: 'conv', id, input, inChannels, outChannels: 3, kernel, stride, dilation, bias: true });
    const nodes: LayerNode[] = [
      { op: 'input', id: 'input', channels: 2 },
      conv('even', 'input', 2, [2, 4, 3], 1),
      conv('even-dilated', 'even', 3, [2, 4, 1], 1, 2),
      conv('down', 'even-dilated', 3, [3, 2, 5], 2),
      conv('down-even', 'down', 3, [4, 4, 2], 2),
      { op: 'conv-transpose', id: 'up1', input: 'down-even', inChannels: 3, outChannels: 3, kernel: [2, 2, 2], stride: 2 },
      { op: 'conv-transpose', id: 'up0', input: 'up1', inChannels: 3, outChannels: 3, kernel: [2, 2, 2], stride: 2 },
      conv('head0', 'up0', 3, [1, 1, 1], 1),
    ];
    const spec: NetworkSpec = {
      schemaVersion: 1,
      archId: archId(referenceGenome),
      inputChannels: 2,
      classes: 3,
      nodes,
      outputs: ['head0'],
      sizeDivisor: 4,
      channels: Object.fromEntries(nodes.map((node) => [node.id, node.id === 'input' ? 2 : 3])),
      scale: { input: 1, even: 1, 'even-dilated': 1, down: 2, 'down-even': 4, up1: 2, up0: 1, head0: 1 },
    };
    const weights = randomWeights(spec, 11);
    const bytes = exportOnnx(spec, weights, { ...caseMetadata({ ...EXPORT_CASES[0]!, inputChannels: 2 }), genome: referenceGenome });
    const pads = Object.fromEntries(decodedNodes(bytes).filter((node) => node.op_type === 'Conv').map((node) => [node.name, attributes(node)['pads']]));
    expect(pads).toEqual({
      even: [0, 1, 1, 1, 2, 1],
      'even-dilated': [1, 3, 0, 1, 3, 0],
      down: [0, 0, 1, 1, 0, 2],
      'down-even': [1, 1, 0, 1, 1, 0],
      head0: [0, 0, 0, 0, 0, 0],
    });
    const [batch, depth, height, width] = [1, 12, 8, 20];
    const ndhwc = Float32Array.from({ length: batch * depth * height * width * 2 }, seededNormal(4));
    const expected = referenceProbabilities(spec, weights, ndhwc, [batch, depth, height, width, 2]);
    const result = await verifyOnnxParity(bytes, { data: ndhwcToNcdhw(ndhwc, [batch, depth, height, width, 2]), shape: [batch, 2, depth, height, width] }, ndhwcToNcdhw(expected, [batch, depth, height, width, 3]));
    expect(result).toMatchObject({ passed: true, outputShape: [1, 3, 12, 8, 20] });
  });
});
