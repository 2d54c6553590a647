import { archId } from '../network/genome.ts';
import { Random, type RandomState } from '../runtime/random.ts';
import type { Json, Proposal, SearchSpaceLike, Strategy, StrategyFactory, TrialResult } from './types.ts';

export interface RandomSearchConfig {
  /** Draws per proposal before giving up on finding an unseen architecture (the space is then taken as exhausted). */
  maxRetries: number;
}

interface RandomSearchState {
  random: RandomState;
  /** archIds proposed so far, in order. */
  seen: string[];
}

/**
 * Random search: uniform samples of the space, each architecture (by archId) at most once. After
 * `maxRetries` draws that all hit seen architectures it proposes nothing, which ends the search.
 * Results are ignored: the proposals depend on the seed only.
 */
class RandomSearch implements Strategy {
  private seen = new Set<string>();
  private order: string[] = [];

  constructor(
    private readonly space: SearchSpaceLike,
    private random: Random,
    private readonly config: RandomSearchConfig,
  ) {}

  propose(count: number): Proposal[] {
    const proposals: Proposal[] = [];
    while (proposals.length < count) {
      const point = this.drawUnseen();
      if (point === null) break;
      proposals.push({ point });
    }
    return proposals;
  }

  private drawUnseen() {
    for (let attempt = 0; attempt < this.config.maxRetries; attempt += 1) {
      const point = this.space.sample(this.random);
      const id = archId(this.space.toGenome(point));
      if (this.seen.has(id)) continue;
      this.seen.add(id);
      this.order.push(id);
      return point;
    }
    return null;
  }

  observe(_results: TrialResult[]): void {}

  state(): Json {
    const state: RandomSearchState = { random: this.random.state(), seen: this.order };
    return state as unknown as Json;
  }

  restore(state: Json): void {
    const saved = state as unknown as RandomSearchState;
    this.random = Random.fromState(saved.random);
    this.order = [...saved.seen];
    this.seen = new Set(saved.seen);
  }
}

export function randomSearch(config: Partial<RandomSearchConfig> = {}): StrategyFactory {
  const full: RandomSearchConfig = { maxRetries: config.maxRetries ?? 100 };
  return { name: 'random', config: { ...full }, create: (space, random) => new RandomSearch(space, random, full) };
}
