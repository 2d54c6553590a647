/**
 * The macro level of C2FNAS: topologies of a space's 'topology' decision as points to search, and
 * the features that make two topologies similar (what the clustering of clustering-evolution.ts
 * groups). A topology assigns the space's layers to resolution levels; its features:
 *   [levels, mean level of the cells (0 finest .. 1 coarsest), encoder share of the cells,
 *    bottleneck share of the cells, spread of the cells over the levels (coefficient of variation)]
 * so U-Net-like shapes (cells spread evenly, half in the encoder) and hourglass-like ones (cells
 * gathered at the coarse levels and the bottleneck) land far apart, and shapes that differ by moving
 * one cell to a neighbouring level land close.
 */
import { createHash } from 'node:crypto';
import type { SearchPoint, SearchSpace, TopologyChoice, TopologyDecision } from '../../api/search-space.ts';
import { canonicalJson } from '../../network/genome.ts';
import { pointToGenome } from '../../space/genome-of-point.ts';
import { pointKey } from '../../space/points.ts';
import type { SearchSpaceLike } from '../types.ts';

/** The space's topology decision; an error sentence naming the space when it has none. */
export function topologyDecision(space: SearchSpace): TopologyDecision {
  const decision = space.decisions.find((entry): entry is TopologyDecision => entry.kind === 'topology');
  if (!decision) throw new Error(`search space ${space.name} has no topology decision: C2FNAS searches topologies first; choose a space with one (e.g. c2fnas)`);
  return decision;
}

/** Cells per level (encoder level l plus decoder level l), finest first. */
const cellsPerLevel = (choice: TopologyChoice): number[] => choice.encoder.map((cells, level) => cells + (choice.decoder[level] ?? 0));

export function topologyFeatures(choice: TopologyChoice): number[] {
  const levels = choice.encoder.length;
  const perLevel = cellsPerLevel(choice);
  const total = perLevel.reduce((a, b) => a + b, 0);
  const meanLevel = perLevel.reduce((sum, cells, level) => sum + cells * level, 0) / total / Math.max(1, levels - 1);
  const encoderShare = choice.encoder.reduce((a, b) => a + b, 0) / total;
  const bottleneckShare = choice.encoder[levels - 1]! / total;
  const mean = total / levels;
  const spread = Math.sqrt(perLevel.reduce((sum, cells) => sum + (cells - mean) ** 2, 0) / levels) / mean;
  return [levels, meanLevel, encoderShare, bottleneckShare, spread];
}

/** Every topology of the space as a point: `base` with its topology index replaced, in choice order. */
export function topologyPoints(space: SearchSpace, base: SearchPoint): SearchPoint[] {
  const decision = topologyDecision(space);
  return decision.choices.map((_, index) => ({ ...base, [decision.id]: index }));
}

/** The features of a point's topology. */
export function pointFeatures(space: SearchSpace, point: SearchPoint): number[] {
  const decision = topologyDecision(space);
  return topologyFeatures(decision.choices[point[decision.id]!]!);
}

/**
 * The macro search space for runSearch: points differ only in the topology, every other decision
 * stays at `base` (the fixed micro ops, width and patch of the macro stage).
 */
export function macroSpace(space: SearchSpace, base: SearchPoint): SearchSpaceLike {
  const decision = topologyDecision(space);
  const count = decision.choices.length;
  const hash = createHash('sha256').update(canonicalJson({ space, base })).digest('hex').slice(0, 8);
  return {
    id: `${space.name}-macro-${hash}`,
    sample: (random) => ({ ...base, [decision.id]: random.integer(0, count) }),
    mutate(point, random) {
      const other = random.integer(0, count - 1);
      return { ...base, [decision.id]: other >= point[decision.id]! ? other + 1 : other };
    },
    toGenome: (point) => pointToGenome(space, point),
    key: pointKey,
  };
}
