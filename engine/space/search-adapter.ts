import { createHash } from 'node:crypto';
import type { SearchSpace } from '../api/search-space.ts';
import { canonicalJson } from '../network/genome.ts';
import type { SearchSpaceLike } from '../search/types.ts';
import { pointToGenome } from './genome-of-point.ts';
import { mutatePoint, pointKey, samplePoint, type MutateOptions } from './points.ts';

/**
 * A search space as engine/search sees it. The id is the space's name plus a hash of its canonical
 * document, so a resumed run notices an edited space file. Default mutation rate: one decision in
 * expectation (1 / number of decisions).
 */
export function asSearchSpaceLike(space: SearchSpace, options: MutateOptions = { rate: 1 / space.decisions.length }): SearchSpaceLike {
  const hash = createHash('sha256').update(canonicalJson(space)).digest('hex').slice(0, 8);
  return {
    id: `${space.name}-${hash}`,
    sample: (random) => samplePoint(space, random),
    mutate: (point, random) => mutatePoint(space, point, random, options),
    toGenome: (point) => pointToGenome(space, point),
    key: pointKey,
  };
}
