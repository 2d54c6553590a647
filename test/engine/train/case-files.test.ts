import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCaseFiles } from '../../../engine/train/case-files.ts';
import { CaseStore } from '../../../engine/train/case-store.ts';
import { caseBytes } from '../../../engine/train/training-case.ts';
import { writeCachedCase } from '../../support/preprocessed-cache.ts';
import { syntheticCase } from '../../support/training-cases.ts';

const folder = await mkdtemp(join(tmpdir(), 'voxnas-cases-'));
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('training cases from the preprocessing cache', () => {
  it('reads image, label and class locations (i, j, k triples -> flat [D][H][W] indices)', async () => {
    const original = syntheticCase('case_1', [9, 11, 13], 2);
    const ref = await writeCachedCase(folder, original);
    expect(await readCaseFiles(ref)).toEqual(original);
  });

  it('names the file and the problem when the cache is damaged', async () => {
    const ref = await writeCachedCase(folder, syntheticCase('case_2', [4, 5, 6]));
    await writeFile(ref.binPath, Buffer.alloc(10));
    await expect(readCaseFiles(ref)).rejects.toThrow(`${ref.binPath}: the image (480 bytes at 0) is past the end of the file (10 bytes); run preprocessing again for this case`);
    await writeFile(ref.jsonPath, '{"arrays": {"image": {"offset": 0, "dtype": "float32", "shape": [1, 4, 5, 6]}, "label": null}, "classLocations": []}');
    await expect(readCaseFiles(ref)).rejects.toThrow('case case_2 has no label');
    await expect(readCaseFiles({ ...ref, jsonPath: join(folder, 'missing.json') })).rejects.toThrow('missing.json');
  });

  it('the case store keeps cases within its byte budget, least recently used out first, one load per id', async () => {
    const cases = new Map(['a', 'b', 'c'].map((id) => [id, syntheticCase(id, [8, 8, 8])]));
    const loads: string[] = [];
    const store = new CaseStore(async (id) => {
      loads.push(id);
      return cases.get(id)!;
    }, 2 * caseBytes(cases.get('a')!));
    await Promise.all([store.get('a'), store.get('a'), store.get('b')]);
    await store.get('a');
    await store.get('c');
    await store.get('a');
    await store.get('b');
    expect(loads).toEqual(['a', 'b', 'c', 'b']);
    expect(store.size).toBe(2);
    expect(store.bytes).toBeLessThanOrEqual(store.maxBytes);
  });
});
