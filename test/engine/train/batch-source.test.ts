import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { NNUNET_AUGMENTATION } from '../../../engine/train/augment.ts';
import type { BatchConfig, TrainingBatch } from '../../../engine/train/batch.ts';
import type { CaseSourceSpec } from '../../../engine/train/batch-messages.ts';
import { type BatchStream, openInProcessBatchSource, openWorkerBatchSource } from '../../../engine/train/batch-source.ts';
import { writeCachedCase } from '../../support/preprocessed-cache.ts';
import { syntheticCase } from '../../support/training-cases.ts';

const cases = [syntheticCase('a', [20, 24, 22], 1, 1), syntheticCase('b', [18, 30, 26], 1, 2), syntheticCase('c', [26, 20, 24], 1, 3)];
const memory: CaseSourceSpec = { kind: 'memory', cases };
const config: BatchConfig = { seed: 'run-1', batchSize: 2, patchSize: [16, 16, 16], oversampleForeground: 0.33, foregroundJitter: 0.25, labelPad: 0, augmentation: NNUNET_AUGMENTATION };

const folder = await mkdtemp(join(tmpdir(), 'voxnas-batches-'));
afterAll(() => rm(folder, { recursive: true, force: true }));
const open: BatchStream[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((source) => source.close()));
});

/** A batch as small comparable data: its arrays as SHA-256 digests of their bytes (deep equality on typed arrays is slow). */
const digest = (array: Float32Array | Uint8Array) => createHash('sha256').update(new Uint8Array(array.buffer, array.byteOffset, array.byteLength)).digest('hex');
const comparable = (batch: TrainingBatch) => ({ ...batch, image: digest(batch.image), label: digest(batch.label) });

async function take(source: BatchStream, count: number) {
  const batches = [];
  for (let i = 0; i < count; i += 1) batches.push(comparable(await source.next()));
  return batches;
}

describe('batch source', () => {
  it('the worker delivers the batches built in process for the same (seed, n), from memory or from the cache files', async () => {
    const expected = await take(openInProcessBatchSource({ config, source: memory }), 6);
    expect(expected.map((batch) => batch.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(expected[0]!.shape).toEqual([2, 16, 16, 16, 1]);
    expect(new Set(expected.map((batch) => batch.image)).size).toBe(6);
    expect(expected.every((batch) => batch.samples[1]!.placement.forcedClass !== null)).toBe(true);
    const worker = await openWorkerBatchSource({ config, source: memory, prefetch: 2 });
    open.push(worker);
    expect(worker.pid).not.toBe(process.pid);
    expect(await take(worker, 6)).toEqual(expected);
    const refs = await Promise.all(cases.map((trainingCase) => writeCachedCase(folder, trainingCase)));
    const fromFiles = await openWorkerBatchSource({ config, source: { kind: 'files', cases: refs, cacheBytes: 1 << 20 } });
    open.push(fromFiles);
    expect(await take(fromFiles, 3)).toEqual(expected.slice(0, 3));
  });

  it('a source resumed at n delivers batch n, n + 1, ... exactly as an uninterrupted run', async () => {
    const uninterrupted = await take(openInProcessBatchSource({ config, source: memory }), 5);
    const resumed = await openWorkerBatchSource({ config, source: memory, startIndex: 3, prefetch: 1 });
    open.push(resumed);
    expect(resumed.nextIndex).toBe(3);
    expect(await take(resumed, 2)).toEqual(uninterrupted.slice(3));
  });

  it('a crash of the worker is reported by next(), not a hang; a bad case or config is an error, not a crash', async () => {
    const worker = await openWorkerBatchSource({ config, source: memory, prefetch: 2 });
    open.push(worker);
    process.kill(worker.pid!, 'SIGKILL');
    let failure: Error | null = null;
    for (let i = 0; i < 10 && failure === null; i += 1) await worker.next().catch((error: Error) => (failure = error));
    expect(failure!.message).toMatch(/^the batch worker \(pid \d+\) was killed by SIGKILL/);
    await expect(worker.next()).rejects.toThrow('was killed by SIGKILL');

    const missing = { id: 'gone', binPath: join(folder, 'gone.bin'), jsonPath: join(folder, 'gone.json') };
    const broken = await openWorkerBatchSource({ config: { ...config, batchSize: 1 }, source: { kind: 'files', cases: [missing], cacheBytes: 1 << 20 }, prefetch: 0 });
    open.push(broken);
    await expect(broken.next()).rejects.toThrow(`batch 0: ENOENT: no such file or directory, open '${missing.jsonPath}'`);
    await expect(broken.next()).rejects.toThrow('batch 1: ENOENT');
    await expect(openWorkerBatchSource({ config: { ...config, batchSize: 0 }, source: memory })).rejects.toThrow('the batch worker refused its work: batch config: batchSize must be a positive integer, got 0');
  });
});
