/**
 * The view of a search space that a controller needs: every point is one choice index per
 * decision, in a fixed decision order. A strategy that samples index vectors (the RONASMIS
 * controller) takes a SearchSpaceLike that is also a DiscreteSpace.
 */
import type { SearchSpace } from '../../api/search-space.ts';
import { asSearchSpaceLike, choiceCounts, decodeIndices, encodePoint, type MutateOptions } from '../../space/index.ts';
import type { Point, SearchSpaceLike } from '../types.ts';

export interface DiscreteSpace {
  /** Choices per decision, in decision order; every count >= 1. The same list on every call. */
  choiceCounts(): number[];
  /** The point of an index vector (one index per decision, each within its count); throws otherwise. */
  fromIndices(indices: readonly number[]): Point;
  /** The inverse of fromIndices. */
  toIndices(point: Point): number[];
}

export type DiscreteSearchSpace = SearchSpaceLike & DiscreteSpace;

export function isDiscreteSpace(space: SearchSpaceLike): space is DiscreteSearchSpace {
  const candidate = space as Partial<DiscreteSpace>;
  return typeof candidate.choiceCounts === 'function' && typeof candidate.fromIndices === 'function' && typeof candidate.toIndices === 'function';
}

/** A space document (engine/space) as a search space with the controller's index view. */
export function asDiscreteSpace(space: SearchSpace, options?: MutateOptions): DiscreteSearchSpace {
  const counts = choiceCounts(space);
  return {
    ...asSearchSpaceLike(space, options),
    choiceCounts: () => [...counts],
    fromIndices(indices) {
      const decoded = decodeIndices(space, indices);
      if (!decoded.ok) throw new Error(`space ${space.name}: ${decoded.errors.join('; ')}`);
      return decoded.value;
    },
    toIndices: (point) => encodePoint(space, point),
  };
}
