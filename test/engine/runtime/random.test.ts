import { describe, expect, it } from 'vitest';
import { createRandom, Random } from '../../../engine/runtime/random.ts';

const draw = (random: Random, count: number) => Array.from({ length: count }, () => random.nextUint32());

describe('seeded random (xoshiro128**)', () => {
  it('is xoshiro128**: the reference outputs from state [1, 2, 3, 4]', () => {
    expect(draw(Random.fromState({ words: [1, 2, 3, 4], spareNormal: null }), 5)).toEqual([11520, 0, 5927040, 70819200, 2031721883]);
  });

  it('the same seed gives the same stream; other seeds (numbers, strings) give other streams', () => {
    expect(draw(createRandom(42), 8)).toEqual(draw(createRandom(42), 8));
    const streams = [42, 43, -42, 2 ** 40 + 42, 'run-a', 'run-b', ''].map((seed) => draw(createRandom(seed), 4).join());
    expect(new Set(streams).size).toBe(streams.length);
    expect(() => createRandom(1.5)).toThrow('safe integer');
  });

  it('saves and restores its state through JSON and continues exactly, a pending Box-Muller value included', () => {
    const random = createRandom('resume');
    draw(random, 3);
    random.normal();
    const saved = JSON.parse(JSON.stringify(random.state()));
    const resumed = Random.fromState(saved);
    const sequence = (r: Random) => [r.normal(), r.uniform(), r.integer(0, 7), r.normal(), r.normal(), ...draw(r, 3)];
    expect(sequence(resumed)).toEqual(sequence(random));
    expect(() => Random.fromState({ words: [0, 0, 0, 0], spareNormal: null })).toThrow('not all zero');
    expect(() => Random.fromState({ words: [1, 2, 3], spareNormal: null } as never)).toThrow('four unsigned');
  });

  it('fork: deterministic, independent of the parent and of other labels, and does not advance the parent', () => {
    const parent = createRandom(7);
    const before = parent.state();
    const a = draw(parent.fork('batch').fork(3), 4);
    expect(parent.state()).toEqual(before);
    expect(draw(createRandom(7).fork('batch').fork(3), 4)).toEqual(a);
    const others = [parent.fork('batch').fork(4), parent.fork('batch').fork('3'), parent.fork('other').fork(3), parent, createRandom(8).fork('batch').fork(3)].map((r) => draw(r, 4).join());
    expect(new Set([a.join(), ...others]).size).toBe(6);
  });

  it('uniform, integer, normal, chance, pick and shuffle have the stated ranges and moments', () => {
    const random = createRandom(1);
    const n = 20000;
    const uniforms = Array.from({ length: n }, () => random.uniform(-2, 3));
    expect(Math.min(...uniforms)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...uniforms)).toBeLessThan(3);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < n; i += 1) counts[random.integer(-1, 5) + 1] += 1;
    counts.forEach((count) => expect(Math.abs(count - n / 6)).toBeLessThan(0.05 * (n / 6)));
    const normals = Array.from({ length: n }, () => random.normal(1, 2));
    const mean = normals.reduce((a, b) => a + b) / n;
    const std = Math.sqrt(normals.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
    expect(Math.abs(mean - 1)).toBeLessThan(0.05);
    expect(Math.abs(std - 2)).toBeLessThan(0.05);
    expect(Array.from({ length: 1000 }, () => random.chance(0.25)).filter(Boolean).length).toBeGreaterThan(200);
    expect(random.chance(0)).toBe(false);
    expect(() => random.integer(3, 3)).toThrow('1 to 2^32 values');
    expect(() => random.pick([])).toThrow('empty');
    const shuffled = createRandom(5).shuffle([...Array(20).keys()]);
    expect([...shuffled].sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    expect(shuffled).toEqual(createRandom(5).shuffle([...Array(20).keys()]));
    expect(shuffled).not.toEqual([...Array(20).keys()]);
  });
});
