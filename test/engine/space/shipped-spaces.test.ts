import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SearchPoint, SearchSpace } from '../../../engine/api/search-space.ts';
import { networkCost } from '../../../engine/network/cost-model.ts';
import { decodeGenome } from '../../../engine/network/decode.ts';
import { archId, isConcrete, validateGenome } from '../../../engine/network/genome.ts';
import { allNodes } from '../../../engine/network/spec.ts';
import { createRandom } from '../../../engine/runtime/random.ts';
import {
  asSearchSpaceLike,
  decodeIndices,
  encodePoint,
  loadSearchSpace,
  mutatePoint,
  pointKey,
  pointToGenome,
  pointToPath,
  samplePoint,
  spaceSize,
  supernetGenome,
  validatePoint,
  validateSearchSpace,
} from '../../../engine/space/index.ts';

const NAMES = ['ronasmis', 'vnas', 'c2fnas'] as const;
const load = (name: string) => loadSearchSpace(`resources/search-spaces/${name}.json`);
const context = { inputChannels: 1, classes: 3 };

/** The decisions that shape the genome: two points that differ in one of them must give different archIds. */
const genomeKey = (space: SearchSpace, point: SearchPoint) => pointKey(Object.fromEntries(space.decisions.filter((decision) => decision.kind !== 'patch-scale').map((decision) => [decision.id, point[decision.id]!])));

const changedDecisions = (before: SearchPoint, after: SearchPoint) => Object.keys(before).filter((id) => before[id] !== after[id]);

describe('shipped search spaces', () => {
  it('validate, with the decision counts and sizes the docs quote', async () => {
    const summary: Record<string, { decisions: number; size: number }> = {};
    for (const name of NAMES) {
      const document: unknown = JSON.parse(readFileSync(`resources/search-spaces/${name}.json`, 'utf8'));
      expect(validateSearchSpace(document).ok).toBe(true);
      const space = await load(name);
      summary[name] = { decisions: space.decisions.length, size: spaceSize(space) };
    }
    expect(summary).toEqual({
      ronasmis: { decisions: 15, size: 8 ** 14 * 2 },
      vnas: { decisions: 11, size: 3 ** 11 },
      c2fnas: { decisions: 11, size: 42 * 6 ** 8 * 3 * 3 },
    });
  });

  it.each(NAMES)('%s: 200 random points decode to valid concrete genomes, distinct where the points differ', async (name) => {
    const space = await load(name);
    const random = createRandom(`points-${name}`);
    const keysByArch = new Map<string, Set<string>>();
    const keys = new Set<string>();
    for (let draw = 0; draw < 200; draw += 1) {
      const point = samplePoint(space, random);
      expect(validatePoint(space, point).ok).toBe(true);
      const genome = pointToGenome(space, point);
      expect(validateGenome(genome)).toEqual({ ok: true, value: genome });
      expect(isConcrete(genome)).toBe(true);
      const key = genomeKey(space, point);
      keys.add(key);
      const id = archId(genome);
      keysByArch.set(id, (keysByArch.get(id) ?? new Set()).add(key));
    }
    expect(keys.size).toBeGreaterThan(150);
    expect(keysByArch.size).toBe(keys.size);
    expect(samplePoint(space, createRandom(`points-${name}`))).toEqual(samplePoint(space, createRandom(`points-${name}`)));
  });

  it.each(NAMES)('%s: mutation changes at least one decision and stays valid; rate 0 changes exactly one', async (name) => {
    const space = await load(name);
    const random = createRandom(`mutate-${name}`);
    for (let draw = 0; draw < 100; draw += 1) {
      const point = samplePoint(space, random);
      const mutated = mutatePoint(space, point, random, { rate: draw % 2 === 0 ? 0.1 : 0 });
      const changed = changedDecisions(point, mutated);
      expect(changed.length).toBeGreaterThanOrEqual(1);
      if (draw % 2 === 1) expect(changed).toHaveLength(1);
      expect(validatePoint(space, mutated).ok).toBe(true);
      expect(validateGenome(pointToGenome(space, mutated)).ok).toBe(true);
    }
    const all = samplePoint(space, random);
    expect(changedDecisions(all, mutatePoint(space, all, random, { rate: 1 }))).toHaveLength(space.decisions.length);
  });

  it.each(NAMES)('%s: encode/decode round trip; bad index vectors are error values', async (name) => {
    const space = await load(name);
    const random = createRandom(`encode-${name}`);
    for (let draw = 0; draw < 50; draw += 1) {
      const point = samplePoint(space, random);
      const indices = encodePoint(space, point);
      expect(indices).toHaveLength(space.decisions.length);
      expect(decodeIndices(space, indices)).toEqual({ ok: true, value: point });
    }
    const first = space.decisions[0]!;
    expect(decodeIndices(space, [1])).toEqual({ ok: false, errors: [`indices: expected ${space.decisions.length} (one per decision), got 1`] });
    const outOfRange = space.decisions.map((decision) => decision.choices.length - 1);
    outOfRange[0] = first.choices.length;
    expect(decodeIndices(space, outOfRange)).toEqual({ ok: false, errors: [`${first.id}: expected a choice index from 0 to ${first.choices.length - 1}, got ${first.choices.length}`] });
  });

  it.each(NAMES)("%s: the choice path selects exactly the point's ops inside the supernet (same params and FLOPs as the child)", async (name) => {
    const space = await load(name);
    const random = createRandom(`path-${name}`);
    for (let draw = 0; draw < 8; draw += 1) {
      const point = samplePoint(space, random);
      const supernet = supernetGenome(space, point);
      expect(validateGenome(supernet).ok).toBe(true);
      const superSpec = decodeGenome(supernet, context);
      const path = pointToPath(space, point);
      const choiceIds = allNodes(superSpec.nodes).filter((node) => node.op === 'choice').map((node) => node.id);
      expect(Object.keys(path).sort()).toEqual(choiceIds.sort());
      const patch: [number, number, number] = [32, 32, 32];
      const child = networkCost(decodeGenome(pointToGenome(space, point), context), patch, 2);
      const selected = networkCost(superSpec, patch, 2, path);
      if ('error' in child || 'error' in selected) throw new Error('unexpected cost error');
      expect({ params: selected.params, flops: selected.flops }).toEqual({ params: child.params, flops: child.flops });
      // At every cell the path takes the option whose op is the child's op at that cell.
      const genome = pointToGenome(space, point);
      for (const node of allNodes(superSpec.nodes)) {
        if (node.op !== 'choice') continue;
        const [, part, level, cell] = /^(enc|dec)(\d+)\.cell(\d+)$/.exec(node.id)!;
        expect(node.options[path[node.id]!]!.op).toBe((part === 'enc' ? genome.encoder : genome.decoder)[Number(level)]![Number(cell)]);
      }
    }
  });
});

describe('search adapter', () => {
  it('exposes a space as engine/search SearchSpaceLike, with an id that changes with the document', async () => {
    const space = await load('vnas');
    const like = asSearchSpaceLike(space);
    const random = createRandom('adapter');
    const point = like.sample(random);
    expect(like.toGenome(point)).toEqual(pointToGenome(space, point));
    expect(changedDecisions(point, like.mutate(point, random)).length).toBeGreaterThanOrEqual(1);
    expect(like.key(point)).toBe(pointKey(point));
    expect(like.id).toMatch(/^vnas-[0-9a-f]{8}$/);
    expect(asSearchSpaceLike({ ...space, description: 'edited' }).id).not.toBe(like.id);
  });
});
