/**
 * Points of a search space: sampling, mutation, the index vector a controller reads and writes,
 * and a stable key. All draws come from the caller's seeded Random, so a search is reproducible.
 */
import type { SearchPoint, SearchSpace } from '../api/search-space.ts';
import { isRecord, type Validated } from '../api/validation.ts';
import { canonicalJson } from '../network/genome.ts';
import type { Random } from '../runtime/random.ts';

/** One uniform draw per decision, in the space's decision order. */
export function samplePoint(space: SearchSpace, random: Random): SearchPoint {
  return Object.fromEntries(space.decisions.map((decision) => [decision.id, random.integer(0, decision.choices.length)]));
}

export interface MutateOptions {
  /** Probability that each decision changes; at least one always does. */
  rate: number;
}

/**
 * A copy of `point` where each decision moves to a different choice with probability `rate`; when
 * none did, one decision (uniformly) does. Every decision has at least two choices, so a changed
 * decision always takes a new value.
 */
export function mutatePoint(space: SearchSpace, point: SearchPoint, random: Random, options: MutateOptions): SearchPoint {
  const mutated = { ...point };
  const change = (index: number) => {
    const decision = space.decisions[index]!;
    const current = point[decision.id]!;
    const other = random.integer(0, decision.choices.length - 1);
    mutated[decision.id] = other >= current ? other + 1 : other;
  };
  let changed = 0;
  space.decisions.forEach((_, index) => {
    if (random.chance(options.rate)) {
      change(index);
      changed += 1;
    }
  });
  if (changed === 0) change(random.integer(0, space.decisions.length));
  return mutated;
}

/** Checks a point read from a file or a strategy's state: every decision once, each index in range. */
export function validatePoint(space: SearchSpace, point: unknown): Validated<SearchPoint> {
  if (!isRecord(point)) return { ok: false, errors: ['point: expected an object { decisionId: choiceIndex }'] };
  const errors: string[] = [];
  for (const decision of space.decisions) {
    const index = point[decision.id];
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= decision.choices.length) {
      errors.push(`${decision.id}: expected a choice index from 0 to ${decision.choices.length - 1}, got ${JSON.stringify(index)}`);
    }
  }
  const ids = new Set(space.decisions.map((decision) => decision.id));
  for (const key of Object.keys(point)) if (!ids.has(key)) errors.push(`${key}: not a decision of space ${space.name}`);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: point as SearchPoint };
}

/** One index per decision, in the space's decision order (what a controller samples). */
export function encodePoint(space: SearchSpace, point: SearchPoint): number[] {
  return space.decisions.map((decision) => point[decision.id]!);
}

/** The inverse of `encodePoint`; errors as values for a vector of the wrong length or an index out of range. */
export function decodeIndices(space: SearchSpace, indices: readonly number[]): Validated<SearchPoint> {
  if (indices.length !== space.decisions.length) return { ok: false, errors: [`indices: expected ${space.decisions.length} (one per decision), got ${indices.length}`] };
  return validatePoint(space, Object.fromEntries(space.decisions.map((decision, index) => [decision.id, indices[index]])));
}

/** The number of choices per decision, in decision order (a controller's output sizes). */
export const choiceCounts = (space: SearchSpace): number[] => space.decisions.map((decision) => decision.choices.length);

/** The number of points (a float: exact up to 2^53). */
export const spaceSize = (space: SearchSpace): number => choiceCounts(space).reduce((product, count) => product * count, 1);

/** A stable string for a point: its canonical JSON (keys sorted), the same whatever the key order. */
export const pointKey = (point: SearchPoint): string => canonicalJson(point);
