/**
 * A toy search space for the search tests: four decisions over reference-unet.json variants
 * (3 x 3 x 2 x 2 = 36 architectures). It implements SearchSpaceLike the way the real spaces will.
 */
import type { Genome } from '../../engine/api/genome.ts';
import type { OpName } from '../../engine/network/op-registry.ts';
import type { Random } from '../../engine/runtime/random.ts';
import type { Point, SearchSpaceLike } from '../../engine/search/types.ts';
import { REFERENCE_GENOME } from './test-genomes.ts';

export const TOY_DECISIONS = {
  widths: [
    [4, 8, 16],
    [8, 16, 32],
    [32, 64, 128],
  ],
  encoderOp: ['conv3', 'p3d3', 'conv2d3'] as OpName[],
  decoderOp: ['conv3', 'dil3'] as OpName[],
  skip: ['add', 'conv-add'] as Genome['skip'][],
} as const;

type DecisionId = keyof typeof TOY_DECISIONS;
const IDS = Object.keys(TOY_DECISIONS) as DecisionId[];

export const TOY_SPACE_SIZE = IDS.reduce((product, id) => product * TOY_DECISIONS[id].length, 1);

export const toySpace: SearchSpaceLike = {
  id: 'toy-unet-v1',
  sample: (random: Random): Point => Object.fromEntries(IDS.map((id) => [id, random.integer(0, TOY_DECISIONS[id].length)])),
  mutate(point: Point, random: Random): Point {
    const id = random.pick(IDS);
    const other = random.integer(0, TOY_DECISIONS[id].length - 1);
    return { ...point, [id]: other >= point[id]! ? other + 1 : other };
  },
  toGenome(point: Point): Genome {
    const widths = [...TOY_DECISIONS.widths[point['widths']!]!];
    const encoderOp = TOY_DECISIONS.encoderOp[point['encoderOp']!]!;
    const decoderOp = TOY_DECISIONS.decoderOp[point['decoderOp']!]!;
    return {
      ...REFERENCE_GENOME,
      widths,
      // The first cell of each level changes the channel count: keep it a 3D convolution.
      encoder: widths.map(() => ['conv3', encoderOp]),
      decoder: widths.slice(1).map(() => ['conv3', decoderOp]),
      skip: TOY_DECISIONS.skip[point['skip']!]!,
    };
  },
  key: (point: Point): string => IDS.map((id) => `${id}=${point[id]}`).join(','),
};

/** Every point of the toy space (for tests that need to name a particular architecture). */
export function allToyPoints(): Point[] {
  return IDS.reduce<Point[]>((points, id) => points.flatMap((point) => TOY_DECISIONS[id].map((_, index) => ({ ...point, [id]: index }))), [{}]);
}
