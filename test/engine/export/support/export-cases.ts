/**
 * The networks the exporter tests export. Together, along their exported paths, they use every op
 * of OPS, every skip, down and up type, deep supervision, a zero LeakyReLU slope, several input
 * channels and classes, and a supernet; spatial sizes are not cubes (multiples of the size divisor).
 */
import { readFileSync } from 'node:fs';
import type { Genome } from '../../../../engine/api/genome.ts';
import type { OnnxMetadata } from '../../../../engine/api/onnx-metadata.ts';
import type { ChoicePath } from '../../../../engine/network/cost-model.ts';
import { decodeGenome } from '../../../../engine/network/decode.ts';
import type { NetworkSpec } from '../../../../engine/network/spec.ts';

export const referenceGenome = JSON.parse(readFileSync('resources/genomes/reference-unet.json', 'utf8')) as Genome;

export interface ExportCase {
  name: string;
  genome: Genome;
  inputChannels: number;
  classes: number;
  path: ChoicePath;
  /** NCDHW input shapes to run the exported model on; every one must match the reference. */
  inputs: [number, number, number, number, number][];
}

const base = { schemaVersion: 1, leakyReluAlpha: 0.01, normEpsilon: 1e-5 } as const;

export const EXPORT_CASES: ExportCase[] = [
  {
    name: 'reference U-Net',
    genome: referenceGenome,
    inputChannels: 1,
    classes: 3,
    path: {},
    inputs: [
      [2, 1, 16, 16, 16],
      [1, 1, 8, 24, 16],
    ],
  },
  {
    name: 'conv-add skips, strided-conv down, trilinear up, deep supervision, 2D / pseudo-3D / dilated ops',
    genome: {
      ...base,
      widths: [4, 8, 8],
      encoder: [['conv5', 'identity'], ['conv2d3', 'p3d3'], ['dil3']],
      decoder: [['conv2d5'], ['p3d5', 'dil5']],
      skip: 'conv-add',
      down: 'strided-conv',
      up: 'trilinear-conv',
      deepSupervision: 1,
      leakyReluAlpha: 0.1,
      normEpsilon: 1e-3,
    },
    inputChannels: 2,
    classes: 2,
    path: {},
    inputs: [[1, 2, 16, 24, 8]],
  },
  {
    name: 'concatenated skips, four levels, max-pool down, trilinear up, deep supervision 2, LeakyReLU slope 0',
    genome: {
      ...base,
      widths: [4, 4, 8, 8],
      encoder: [['conv3'], ['dil5'], ['p3d5'], ['conv2d3']],
      decoder: [['conv3', 'identity'], ['dil3'], ['conv5']],
      skip: 'concat',
      down: 'max-pool',
      up: 'trilinear-conv',
      deepSupervision: 2,
      leakyReluAlpha: 0,
    },
    inputChannels: 1,
    classes: 4,
    path: {},
    inputs: [[2, 1, 16, 24, 8]],
  },
  {
    name: 'supernet along a path (identity, pseudo-3D, 5x5x5), strided-conv down, transposed-conv up',
    genome: {
      ...base,
      widths: [4, 8, 8],
      encoder: [['conv3', { choice: ['conv3', 'dil5', 'identity'] }], [{ choice: ['conv2d3', 'p3d3'] }, 'conv3'], ['conv3']],
      decoder: [[{ choice: ['conv3', 'identity', 'conv5'] }], ['conv3']],
      skip: 'add',
      down: 'strided-conv',
      up: 'transposed-conv',
      deepSupervision: 1,
    },
    inputChannels: 1,
    classes: 3,
    path: { 'enc0.cell1': 2, 'enc1.cell0': 1, 'dec0.cell0': 2 },
    inputs: [[1, 1, 24, 8, 16]],
  },
];

export const caseSpec = (entry: ExportCase): NetworkSpec => decodeGenome(entry.genome, { inputChannels: entry.inputChannels, classes: entry.classes });

export function caseMetadata(entry: ExportCase): OnnxMetadata {
  return {
    genome: entry.genome,
    channelNames: Array.from({ length: entry.inputChannels }, (_, index) => `channel ${index}`),
    labelNames: ['background', ...Array.from({ length: entry.classes - 1 }, (_, index) => `class ${index + 1}`)],
    labelValues: Array.from({ length: entry.classes }, (_, index) => (index === 0 ? 0 : index + 1)),
    targetSpacing: [1.5, 0.8, 0.8],
    normalization: [{ scheme: 'z-score', mean: 101.5, std: 20.25 }],
    patchSize: [32, 48, 16],
  };
}
