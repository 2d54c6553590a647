import { readFileSync } from 'node:fs';
import type { Genome } from '../../engine/api/genome.ts';

export const REFERENCE_GENOME = JSON.parse(readFileSync('resources/genomes/reference-unet.json', 'utf8')) as Genome;

const small = { ...REFERENCE_GENOME, widths: [4, 8, 12] };

/**
 * Small genomes that together use every op of the registry, every skip, down and up type, deep
 * supervision, and a supernet choice (for executor and export tests).
 */
export const TEST_GENOMES: Record<string, Genome> = {
  reference: REFERENCE_GENOME,
  everyOpConvAddStridedTrilinear: {
    ...small,
    encoder: [['conv3', 'conv5'], ['conv2d3', 'conv2d5'], ['p3d3', 'p3d5']],
    decoder: [['dil3', 'identity'], ['dil5']],
    skip: 'conv-add',
    down: 'strided-conv',
    up: 'trilinear-conv',
    deepSupervision: 1,
  },
  concatMaxPoolTransposed: { ...small, skip: 'concat', deepSupervision: 1 },
  supernet: { ...small, encoder: [['conv3', { choice: ['conv3', 'dil3', 'identity'] }], [{ choice: ['p3d3', 'conv2d5'] }], ['conv3']], decoder: [['conv3'], ['conv3']] },
};
