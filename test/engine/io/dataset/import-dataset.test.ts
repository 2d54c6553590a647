import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateDatasetJson } from '../../../../engine/api/dataset.ts';
import { importDataset } from '../../../../engine/io/dataset/import-dataset.ts';
import { checkIntegrity } from '../../../../engine/io/dataset/integrity.ts';
import { readDatasetLayout } from '../../../../engine/io/dataset/layouts.ts';
import { temporaryFolder, volume, writeFixture } from '../../../support/dataset-fixtures.ts';

let folder: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ folder, cleanup } = await temporaryFolder()));
afterEach(async () => cleanup());

describe('importDataset', () => {
  it('writes <workspace>/dataset.json for the sample, atomically, and it reads back through the migration entry', async () => {
    const workspace = join(folder, 'new', 'workspace');
    const now = new Date('2025-03-04T05:06:07.000Z');
    const dataset = await importDataset('resources/sample', workspace, { now });
    const written = JSON.parse(await readFile(join(workspace, 'dataset.json'), 'utf8'));
    const sample = JSON.parse(await readFile('resources/sample/dataset.json', 'utf8')) as { training: { image: string; label: string }[] };
    expect({ files: await readdir(workspace), written, reread: migrateDatasetJson(written) }).toEqual({
      files: ['dataset.json'],
      written: {
        schemaVersion: 1,
        name: 'Hippocampus',
        description: 'Left and right hippocampus segmentation (10-case sample bundled with VoxNAS)',
        channels: ['MRI'],
        labels: { 0: 'background', 1: 'Anterior', 2: 'Posterior' },
        source: { folder: resolve('resources/sample'), layout: 'msd' },
        importedAt: '2025-03-04T05:06:07.000Z',
        cases: sample.training.map(({ image, label }) => ({ id: image.replace(/^.*\/(.*)\.nii\.gz$/, '$1'), split: 'training', images: [image.slice(2)], label: label.slice(2) })),
      },
      reread: { ok: true, value: dataset },
    });
  });

  it('folder pair: channels and labels come from the check; unusable and excluded cases are left out', async () => {
    const dims: [number, number, number] = [2, 2, 2];
    await writeFixture(folder, {
      'images/a.nii.gz': volume(dims, new Float32Array(8)),
      'labels/a.nii.gz': volume(dims, Uint8Array.from([0, 1, 4, 0, 0, 0, 0, 0])),
      'images/b.nii.gz': volume(dims, new Float32Array(8)),
      'labels/b.nii.gz': volume(dims, new Uint8Array(8)),
      'images/c.nii.gz': volume(dims, new Float32Array(8)),
      'labels/orphan.nii.gz': volume(dims, new Uint8Array(8)),
    });
    const listing = await readDatasetLayout(folder);
    const report = await checkIntegrity(listing);
    const dataset = await importDataset(folder, join(folder, 'workspace'), { listing, report, exclude: new Set(['b']) });
    expect({ channels: dataset.channels, labels: dataset.labels, layout: dataset.source.layout, cases: dataset.cases }).toEqual({
      channels: ['image'],
      labels: { 0: 'background', 1: 'label 1', 4: 'label 4' },
      layout: 'folder-pair',
      cases: [{ id: 'a', split: 'training', images: ['images/a.nii.gz'], label: 'labels/a.nii.gz' }],
    });
  });
});
