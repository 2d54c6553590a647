/**
 * MT19937 (Matsumoto & Nishimura 1998) seeded like NumPy's legacy `RandomState(seed)`, and that
 * class's `shuffle`. With it, VoxNAS draws the same cross-validation folds as scikit-learn's
 * `KFold(shuffle=True, random_state=seed)` and hence as nnU-Net, on every platform: all arithmetic
 * is on 32-bit integers (Math.imul, >>>), no floating point.
 */
const STATE_WORDS = 624;
const SHIFT_WORDS = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_BIT = 0x80000000;
const LOWER_BITS = 0x7fffffff;

export class MersenneTwister {
  private readonly state = new Uint32Array(STATE_WORDS);
  private position = STATE_WORDS;

  /** `seed`: an integer in [0, 2^32), as NumPy's `RandomState(seed)` accepts. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
    this.state[0] = seed >>> 0;
    for (let index = 1; index < STATE_WORDS; index += 1) {
      const previous = this.state[index - 1]!;
      this.state[index] = (Math.imul(1812433253, previous ^ (previous >>> 30)) + index) >>> 0;
    }
  }

  /** The next 32-bit output, an integer in [0, 2^32). */
  nextUint32(): number {
    if (this.position >= STATE_WORDS) this.twist();
    let value = this.state[this.position]!;
    this.position += 1;
    value ^= value >>> 11;
    value ^= (value << 7) & 0x9d2c5680;
    value ^= (value << 15) & 0xefc60000;
    value ^= value >>> 18;
    return value >>> 0;
  }

  private twist(): void {
    const state = this.state;
    for (let index = 0; index < STATE_WORDS; index += 1) {
      const mixed = (state[index]! & UPPER_BIT) | (state[(index + 1) % STATE_WORDS]! & LOWER_BITS);
      state[index] = state[(index + SHIFT_WORDS) % STATE_WORDS]! ^ (mixed >>> 1) ^ (mixed & 1 ? MATRIX_A : 0);
    }
    this.position = 0;
  }

  /**
   * A uniform integer in [0, max] for max < 2^32, by masked rejection: draw 32 bits, keep the
   * smallest all-ones mask covering max, retry above max (NumPy's legacy bounded draw for shuffle).
   */
  nextAtMost(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    for (;;) {
      const value = (this.nextUint32() & mask) >>> 0;
      if (value <= max) return value;
    }
  }

  /** Shuffles in place exactly as NumPy's `RandomState.shuffle` does a 1-D array (Fisher-Yates from the end). */
  shuffle<T>(items: T[]): T[] {
    for (let index = items.length - 1; index >= 1; index -= 1) {
      const other = this.nextAtMost(index);
      const held = items[index]!;
      items[index] = items[other]!;
      items[other] = held;
    }
    return items;
  }
}
