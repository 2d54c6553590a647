/** FNV-1a of a text, mixed with a seed: a stable 32-bit seed per case and class. */
export const hashSeed = (text: string, seed: number): number => [...text].reduce((hash, char) => Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0, (0x811c9dc5 ^ seed) >>> 0);

/** mulberry32: a small seedable generator in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** `keep` of the indices (all when fewer), chosen without repeats by a seeded partial shuffle, ascending. */
export function sampleIndices(indices: Uint32Array, keep: number, seed: number): Uint32Array {
  if (indices.length <= keep) return indices;
  const pool = Uint32Array.from(indices);
  const next = seededRandom(seed);
  for (let at = 0; at < keep; at += 1) {
    const pick = at + Math.floor(next() * (pool.length - at));
    const chosen = pool[pick]!;
    pool[pick] = pool[at]!;
    pool[at] = chosen;
  }
  return pool.subarray(0, keep).sort();
}
