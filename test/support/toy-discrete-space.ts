/** The toy search space with the controller's index view (DiscreteSpace), in TOY_DECISIONS order. */
import type { Point } from '../../engine/search/types.ts';
import type { DiscreteSearchSpace } from '../../engine/search/strategies/discrete-space.ts';
import { TOY_DECISIONS, toySpace } from './toy-space.ts';

const IDS = Object.keys(TOY_DECISIONS) as Array<keyof typeof TOY_DECISIONS>;

export const toyDiscreteSpace: DiscreteSearchSpace = {
  ...toySpace,
  choiceCounts: () => IDS.map((id) => TOY_DECISIONS[id].length),
  fromIndices(indices) {
    if (indices.length !== IDS.length || indices.some((index, position) => !Number.isInteger(index) || index < 0 || index >= TOY_DECISIONS[IDS[position]!].length)) {
      throw new Error(`toy space: bad index vector ${JSON.stringify(indices)}`);
    }
    return Object.fromEntries(IDS.map((id, position) => [id, indices[position]!]));
  },
  toIndices: (point: Point) => IDS.map((id) => point[id]!),
};
