/**
 * Clustering-based evolution (C2FNAS's macro search) as a Strategy for runSearch, over a finite list
 * of candidate points with a feature vector each (topology-features.ts for the c2fnas topologies).
 *
 * 1. Clustering: k-means on the standardized features (k-means++ seeding from the strategy's
 *    Random, Lloyd iterations until no point moves), once, when the strategy is created.
 * 2. Seeding: the first proposals are one representative per cluster (the member nearest its centroid).
 * 3. Evolution: clusters are ranked by their best observed score (Dice; failed or rejected: 0; a
 *    cluster with no result yet ranks by its seed's place in line, after the scored ones); each
 *    proposal picks a cluster with probability proportional to its linear rank weight
 *    (k_open, ..., 2, 1 for the best to the worst of the clusters that still have unseen members),
 *    then mutates the cluster's best member within the cluster: an unseen member drawn with
 *    probability proportional to 1 / (1 + its feature distance to that parent).
 * Each candidate is proposed at most once; when every candidate is proposed the strategy proposes
 * nothing (the search ends as exhausted). `state()` holds the Random, the clusters, the proposals
 * and the scores, so a restored strategy proposes exactly what the original would have.
 */
import { Random, type RandomState } from '../../runtime/random.ts';
import type { Json, Point, Proposal, SearchSpaceLike, Strategy, StrategyFactory, TrialResult } from '../types.ts';

export interface ClusteringEvolutionConfig {
  /** Number of clusters (at most the number of candidates). */
  clusters: number;
  /** Score of a failed or rejected candidate. */
  failureScore: number;
}

export const CLUSTERING_DEFAULTS: ClusteringEvolutionConfig = { clusters: 4, failureScore: 0 };

/** How a proposal came about (kept in the state for the trace and a UI). */
export interface EvolutionRecord {
  key: string;
  cluster: number;
  /** 'seed': the cluster's representative; 'child': a mutation of `parent`. */
  kind: 'seed' | 'child';
  parent: string | null;
}

interface EvolutionState {
  random: RandomState;
  /** Candidate indices per cluster. */
  clusters: number[][];
  proposals: EvolutionRecord[];
  scores: Record<string, number>;
}

const distance = (a: readonly number[], b: readonly number[]) => Math.sqrt(a.reduce((sum, value, index) => sum + (value - b[index]!) ** 2, 0));

/** Each feature shifted to mean 0 and scaled to standard deviation 1 (constant features become 0). */
export function standardize(features: readonly number[][]): number[][] {
  const dimensions = features[0]?.length ?? 0;
  const stats = Array.from({ length: dimensions }, (_, column) => {
    const values = features.map((row) => row[column]!);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
    return { mean, std };
  });
  return features.map((row) => row.map((value, column) => (stats[column]!.std > 0 ? (value - stats[column]!.mean) / stats[column]!.std : 0)));
}

/** An index drawn with probability proportional to its weight (weights >= 0, not all 0). */
function weightedIndex(weights: readonly number[], random: Random): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let draw = random.uniform(0, total);
  for (let index = 0; index < weights.length; index += 1) {
    draw -= weights[index]!;
    if (draw < 0 && weights[index]! > 0) return index;
  }
  return weights.reduce((last, weight, index) => (weight > 0 ? index : last), 0);
}

/** k-means with k-means++ seeding; clusters as lists of point indices, none empty, in order of their first member. */
export function kMeans(points: readonly number[][], k: number, random: Random): number[][] {
  const count = Math.min(k, points.length);
  const centroids: number[][] = [[...points[random.integer(0, points.length)]!]];
  while (centroids.length < count) {
    const weights = points.map((point) => Math.min(...centroids.map((centroid) => distance(point, centroid))) ** 2);
    centroids.push([...points[weights.some((weight) => weight > 0) ? weightedIndex(weights, random) : random.integer(0, points.length)]!]);
  }
  let assignment = points.map(() => -1);
  for (let iteration = 0; iteration < 100; iteration += 1) {
    const next = points.map((point) => centroids.reduce((best, centroid, index) => (distance(point, centroid) < distance(point, centroids[best]!) ? index : best), 0));
    if (next.every((cluster, index) => cluster === assignment[index])) break;
    assignment = next;
    centroids.forEach((centroid, cluster) => {
      const members = points.filter((_, index) => assignment[index] === cluster);
      if (members.length > 0) centroids[cluster] = centroid.map((_, column) => members.reduce((sum, member) => sum + member[column]!, 0) / members.length);
    });
  }
  const clusters = centroids.map((_, cluster) => assignment.flatMap((assigned, index) => (assigned === cluster ? [index] : [])));
  return clusters.filter((members) => members.length > 0).sort((a, b) => a[0]! - b[0]!);
}

class ClusteringEvolution implements Strategy {
  private readonly keys: string[];
  private readonly features: number[][];
  private clusters: number[][];
  private proposals: EvolutionRecord[] = [];
  private scores = new Map<string, number>();

  constructor(
    private readonly space: SearchSpaceLike,
    private readonly candidates: readonly Point[],
    features: readonly number[][],
    private random: Random,
    private readonly config: ClusteringEvolutionConfig,
  ) {
    this.keys = candidates.map((point) => space.key(point));
    this.features = standardize(features);
    this.clusters = kMeans(this.features, config.clusters, random.fork('clusters'));
  }

  private proposed(index: number): boolean {
    return this.proposals.some((record) => record.key === this.keys[index]);
  }

  /** The member nearest the cluster's mean feature vector. */
  private representative(members: readonly number[]): number {
    const centroid = this.features[members[0]!]!.map((_, column) => members.reduce((sum, member) => sum + this.features[member]![column]!, 0) / members.length);
    return members.reduce((best, member) => (distance(this.features[member]!, centroid) < distance(this.features[best]!, centroid) ? member : best), members[0]!);
  }

  /** Best observed score per cluster (null when none of its members has a result yet). */
  private clusterScore(members: readonly number[]): number | null {
    const scored = members.map((member) => this.scores.get(this.keys[member]!)).filter((score): score is number => score !== undefined);
    return scored.length > 0 ? Math.max(...scored) : null;
  }

  private nextProposal(): EvolutionRecord | null {
    const seedless = this.clusters.findIndex((members) => !members.some((member) => this.proposed(member)));
    if (seedless >= 0) return { key: this.keys[this.representative(this.clusters[seedless]!)]!, cluster: seedless, kind: 'seed', parent: null };
    const open = this.clusters.map((members, cluster) => ({ cluster, members, score: this.clusterScore(members) })).filter((entry) => entry.members.some((member) => !this.proposed(member)));
    if (open.length === 0) return null;
    const ranked = [...open].sort((a, b) => (b.score ?? -Infinity) - (a.score ?? -Infinity) || a.cluster - b.cluster);
    const chosen = ranked[weightedIndex(ranked.map((_, rank) => ranked.length - rank), this.random)]!;
    const scoredMembers = chosen.members.filter((member) => this.scores.has(this.keys[member]!));
    const parent = scoredMembers.length > 0 ? scoredMembers.reduce((best, member) => (this.scores.get(this.keys[member]!)! > this.scores.get(this.keys[best]!)! ? member : best)) : chosen.members.find((member) => this.proposed(member))!;
    const unseen = chosen.members.filter((member) => !this.proposed(member));
    const child = unseen[weightedIndex(unseen.map((member) => 1 / (1 + distance(this.features[member]!, this.features[parent]!))), this.random)]!;
    return { key: this.keys[child]!, cluster: chosen.cluster, kind: 'child', parent: this.keys[parent]! };
  }

  propose(count: number): Proposal[] {
    const proposals: Proposal[] = [];
    while (proposals.length < count) {
      const record = this.nextProposal();
      if (record === null) break;
      this.proposals.push(record);
      proposals.push({ point: { ...this.candidates[this.keys.indexOf(record.key)]! } });
    }
    return proposals;
  }

  observe(results: TrialResult[]): void {
    for (const result of results) {
      const score = result.status === 'trained' && result.metrics ? result.metrics.meanDice : this.config.failureScore;
      this.scores.set(this.space.key(result.point), score);
    }
  }

  state(): Json {
    const state: EvolutionState = { random: this.random.state(), clusters: this.clusters, proposals: this.proposals, scores: Object.fromEntries(this.scores) };
    return state as unknown as Json;
  }

  restore(state: Json): void {
    const saved = state as unknown as EvolutionState;
    this.random = Random.fromState(saved.random);
    this.clusters = saved.clusters.map((members) => [...members]);
    this.proposals = saved.proposals.map((record) => ({ ...record }));
    this.scores = new Map(Object.entries(saved.scores));
  }
}

/** The proposals and clusters of a saved clustering-evolution state (run.json's strategy state), for a trace or a UI. */
export function evolutionHistory(state: Json): { clusters: number[][]; proposals: EvolutionRecord[]; scores: Record<string, number> } {
  const saved = state as unknown as EvolutionState;
  return { clusters: saved.clusters, proposals: saved.proposals, scores: saved.scores };
}

/**
 * The strategy factory. `candidates`: every point the search may propose (e.g. all topologies);
 * `features`: a numeric vector per point (same length for all), what the clustering compares.
 */
export function clusteringEvolution(candidates: readonly Point[], features: (point: Point) => number[], config: Partial<ClusteringEvolutionConfig> = {}): StrategyFactory {
  const full: ClusteringEvolutionConfig = { ...CLUSTERING_DEFAULTS, ...config };
  if (candidates.length === 0) throw new Error('clustering evolution: the candidate list is empty; give at least one point to search');
  const vectors = candidates.map(features);
  return {
    name: 'clustering-evolution',
    config: { ...full, candidates: candidates.length },
    create: (space, random) => new ClusteringEvolution(space, candidates, vectors, random, full),
  };
}
