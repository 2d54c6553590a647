import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Genome } from '../../../engine/api/genome.ts';
import { decodeGenome } from '../../../engine/network/decode.ts';
import { archId, canonicalJson, isConcrete, validateGenome } from '../../../engine/network/genome.ts';
import { OP_NAMES } from '../../../engine/network/op-registry.ts';
import { parameterCount, specParams } from '../../../engine/network/spec.ts';

const reference = JSON.parse(readFileSync('resources/genomes/reference-unet.json', 'utf8')) as Genome;

describe('genome', () => {
  it('the reference genome is the benchmark network: valid, concrete, 76,531 parameters (1 channel, 3 classes)', () => {
    expect(validateGenome(reference)).toEqual({ ok: true, value: reference });
    expect(isConcrete(reference)).toBe(true);
    expect(parameterCount(specParams(decodeGenome(reference, { inputChannels: 1, classes: 3 })))).toBe(76_531);
  });

  it('archId hashes the canonical form: key order does not matter, content does', () => {
    const reordered = Object.fromEntries(Object.entries(reference).reverse()) as unknown as Genome;
    expect(canonicalJson(reordered)).toBe(canonicalJson(reference));
    expect(archId(reordered)).toBe(archId(reference));
    expect(archId({ ...reference, skip: 'conv-add' })).not.toBe(archId(reference));
    expect(archId(reference)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('reports every problem as a value naming the field', () => {
    const broken = {
      ...reference,
      schemaVersion: 2,
      encoder: [['identity', 'conv3'], ['conv9'], [{ choice: ['conv3', 'conv3'] }]],
      decoder: [['conv3']],
      skip: 'sum',
      deepSupervision: 5,
      leakyReluAlpha: 0.2,
      extra: true,
    };
    expect(validateGenome(broken)).toEqual({
      ok: false,
      errors: [
        'schemaVersion: expected 1, got 2',
        'encoder[1][0]: "conv9" is not an op (conv3, conv5, conv2d3, conv2d5, p3d3, p3d5, dil3, dil5, identity) or {"choice": [ops]}',
        'encoder[2][0]: a choice lists an op twice',
        'decoder: expected 2 levels, got 1',
        'skip: expected one of add, conv-add, concat, got "sum"',
        'deepSupervision: expected an integer from 0 to 1 (one head per decoder level below the finest)',
        'extra: unknown field',
      ],
    });
    const identityFirst = { ...reference, encoder: [['identity'], ['conv3'], ['conv3']] };
    expect(validateGenome(identityFirst)).toEqual({ ok: false, errors: ['encoder[0][0]: the first cell changes the channel count (to 8), so it cannot be identity'] });
  });

  it('a supernet holds every option of every choice; a child path shares its parameter names', () => {
    const options = OP_NAMES.filter((op) => op !== 'identity');
    const supernet: Genome = { ...reference, encoder: [['conv3', { choice: OP_NAMES }], [{ choice: options }, 'conv3'], ['conv3', 'conv3']] };
    expect(validateGenome(supernet).ok).toBe(true);
    expect(isConcrete(supernet)).toBe(false);
    const superParams = new Set(specParams(decodeGenome(supernet, { inputChannels: 1, classes: 3 })).map((param) => param.name));
    const child: Genome = { ...reference, encoder: [['conv3', 'dil5'], ['p3d3', 'conv3'], ['conv3', 'conv3']] };
    const childParams = specParams(decodeGenome(child, { inputChannels: 1, classes: 3 })).map((param) => param.name);
    expect(childParams.filter((name) => !superParams.has(name))).toEqual([]);
    expect(childParams).toContain('enc0.cell1.dil5.step0.conv/kernel');
    expect(childParams).toContain('enc1.cell0.p3d3.step1.conv/kernel');
  });
});
