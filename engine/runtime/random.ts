/**
 * Seeded pseudo-random numbers for everything that must be reproducible (patch sampling,
 * augmentation, splits, search). The generator is xoshiro128** (128-bit state, 32-bit outputs,
 * period 2^128 - 1), written out from its published definition.
 *
 * Contracts:
 * - The same seed gives the same sequence on every platform (integer arithmetic only; `normal` uses
 *   Math.log/sqrt/cos/sin, which are the same within one Node/V8 build, the case for a worker and its
 *   parent).
 * - `state()` is plain JSON; `Random.fromState(state)` continues exactly where the saved one stood,
 *   including a pending second normal value of Box-Muller.
 * - `fork(label)` derives an independent stream from the current state and the label without
 *   advancing this one: `createRandom(seed).fork('batch').fork(17)` is the stream of batch 17 of a
 *   run, whatever else was drawn or in which order batches were built.
 */
export interface RandomState {
  /** The four 32-bit words of xoshiro128** (unsigned). Never all zero. */
  words: [number, number, number, number];
  /** The second value of the last Box-Muller pair, not yet returned; null when none. */
  spareNormal: number | null;
}

const GOLDEN = 0x9e3779b9;

/** A 32-bit finaliser (avalanche mix): every input bit affects every output bit. */
function mix32(value: number): number {
  let x = value | 0;
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

/** FNV-1a over the UTF-16 code units of a string, then mixed. */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  return mix32(hash);
}

/** Four state words from a key sequence (splitmix-style chaining; two rounds so each word sees every key). */
function wordsFromKeys(keys: readonly number[]): [number, number, number, number] {
  let chain = 0;
  for (const key of keys) chain = mix32(chain + GOLDEN + (key | 0));
  const words: [number, number, number, number] = [0, 0, 0, 0];
  for (let index = 0; index < 4; index += 1) {
    chain = mix32(chain + GOLDEN);
    words[index] = chain;
  }
  if ((words[0] | words[1] | words[2] | words[3]) === 0) words[0] = 1;
  return words;
}

/** The 32-bit keys of a seed: a string by its hash, a number by its low and high 32 bits (and sign). */
function seedKeys(seed: number | string): number[] {
  if (typeof seed === 'string') return [hashString(seed), seed.length];
  if (!Number.isSafeInteger(seed)) throw new Error(`random seed must be a safe integer or a string, got ${seed}`);
  const magnitude = Math.abs(seed);
  return [magnitude >>> 0, Math.floor(magnitude / 0x1_0000_0000) >>> 0, seed < 0 ? 1 : 0];
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null;

  private constructor(state: RandomState) {
    [this.s0, this.s1, this.s2, this.s3] = state.words.map((word) => word | 0) as [number, number, number, number];
    this.spare = state.spareNormal;
  }

  static fromSeed(seed: number | string): Random {
    return new Random({ words: wordsFromKeys(seedKeys(seed)), spareNormal: null });
  }

  /** Continues a saved stream; throws on a state that is not one (wrong shape, all-zero words). */
  static fromState(state: RandomState): Random {
    const { words, spareNormal } = state;
    const validWords = Array.isArray(words) && words.length === 4 && words.every((word) => Number.isInteger(word) && word >= 0 && word <= 0xffffffff);
    if (!validWords || words.every((word) => word === 0)) throw new Error('random state: words must be four unsigned 32-bit integers, not all zero');
    if (spareNormal !== null && !Number.isFinite(spareNormal)) throw new Error('random state: spareNormal must be a finite number or null');
    return new Random(state);
  }

  state(): RandomState {
    return { words: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0], spareNormal: this.spare };
  }

  /** The next 32-bit output, unsigned. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const shifted = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= shifted;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /** Uniform in [low, high), 32 bits of resolution. */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * (this.nextUint32() / 0x1_0000_0000);
  }

  /** True with probability p (p <= 0: never, without drawing; p >= 1: always, without drawing). */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.uniform() < p;
  }

  /** Uniform integer in [low, high) (high exclusive), unbiased (rejection), range up to 2^32. */
  integer(low: number, high: number): number {
    const range = high - low;
    if (!Number.isInteger(low) || !Number.isInteger(high) || range < 1 || range > 0x1_0000_0000) {
      throw new Error(`random integer range [${low}, ${high}) must be integers with 1 to 2^32 values`);
    }
    const limit = 0x1_0000_0000 - (0x1_0000_0000 % range);
    let draw = this.nextUint32();
    while (draw >= limit) draw = this.nextUint32();
    return low + (draw % range);
  }

  /** Normal deviate (Box-Muller; the pair's second value is kept for the next call). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const value = this.spare;
      this.spare = null;
      return mean + std * value;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const angle = 2 * Math.PI * this.uniform();
    this.spare = radius * Math.sin(angle);
    return mean + std * radius * Math.cos(angle);
  }

  /** One element, uniformly; throws on an empty list. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('random pick from an empty list');
    return items[this.integer(0, items.length)]!;
  }

  /** Shuffles in place (Fisher-Yates) and returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let index = items.length - 1; index > 0; index -= 1) {
      const other = this.integer(0, index + 1);
      [items[index], items[other]] = [items[other]!, items[index]!];
    }
    return items;
  }

  /** An independent stream named by `label`, derived from the current state; this stream does not advance. */
  fork(label: string | number): Random {
    const labelKey = typeof label === 'number' ? seedKeys(label) : [hashString(label), label.length, 0x5f0];
    return new Random({ words: wordsFromKeys([this.s0, this.s1, this.s2, this.s3, ...labelKey]), spareNormal: null });
  }
}

/** A stream from a seed (a safe integer or any string). */
export const createRandom = (seed: number | string): Random => Random.fromSeed(seed);
