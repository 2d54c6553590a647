import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectLayout, readDatasetLayout } from '../../../../engine/io/dataset/layouts.ts';
import { InputError } from '../../../../engine/io/input-error.ts';
import { msdJson, temporaryFolder, writeFixture } from '../../../support/dataset-fixtures.ts';

const SAMPLE = resolve('resources/sample');
const HIPPOCAMPUS = resolve('../shared/data/hippocampus');

/** Findings without their hints (the hints are the code's, and tested elsewhere). */
const brief = (findings: { severity: string; case: string | null; file: string | null; code: string; message: string }[]) =>
  findings.map(({ severity, case: id, file, code, message }) => ({ severity, case: id, file, code, message }));

let folder: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ folder, cleanup } = await temporaryFolder()));
afterEach(async () => cleanup());

describe('dataset layouts', () => {
  it('reads the embedded sample as MSD: 10 training cases, one MRI channel, three labels, nothing to report', async () => {
    const listing = await readDatasetLayout('resources/sample');
    const ids = readFileSync('resources/sample/cases.tsv', 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t')[0]!);
    expect(listing).toEqual({
      folder: SAMPLE,
      layout: 'msd',
      name: 'Hippocampus',
      description: 'Left and right hippocampus segmentation (10-case sample bundled with VoxNAS)',
      channels: ['MRI'],
      labels: { 0: 'background', 1: 'Anterior', 2: 'Posterior' },
      cases: ids.map((id) => ({ id, split: 'training', images: [`imagesTr/${id}.nii.gz`], label: `labelsTr/${id}.nii.gz` })),
      findings: [],
    });
  });

  it('reads the shared hippocampus folder: 182 cases, no findings', async () => {
    const listing = await readDatasetLayout(HIPPOCAMPUS);
    expect({ layout: listing.layout, cases: listing.cases.length, findings: listing.findings }).toEqual({ layout: 'msd', cases: 182, findings: [] });
  });

  it('MSD: repeated case, numTraining off, non-consecutive labels, an unlisted file; hidden files are ignored', async () => {
    const json = msdJson(['a', 'b'], { labels: { 0: 'background', 1: 'one', 3: 'three' }, numTraining: 5, test: ['./imagesTs/t.nii.gz'] }) as { training: unknown[] };
    json.training.push({ image: './imagesTr/a.nii.gz', label: './labelsTr/a.nii.gz' }, { image: './imagesTr/c.nii.gz' });
    await writeFixture(folder, { 'dataset.json': json, 'imagesTr/a.nii.gz': '', 'imagesTr/extra.nii.gz': '', 'imagesTr/._a.nii.gz': '', 'labelsTr/.DS_Store': '', 'imagesTs/t.nii.gz': '' });
    const listing = await readDatasetLayout(folder);
    expect(listing.cases).toEqual([
      { id: 'a', split: 'training', images: ['imagesTr/a.nii.gz'], label: 'labelsTr/a.nii.gz' },
      { id: 'b', split: 'training', images: ['imagesTr/b.nii.gz'], label: 'labelsTr/b.nii.gz' },
      { id: 'c', split: 'training', images: ['imagesTr/c.nii.gz'], label: null },
      { id: 't', split: 'test', images: ['imagesTs/t.nii.gz'], label: null },
    ]);
    expect(brief(listing.findings)).toEqual([
      { severity: 'error', case: null, file: 'dataset.json', code: 'labels-not-consecutive', message: 'labels 0, 1, 3 are not consecutive from 0' },
      { severity: 'error', case: null, file: 'dataset.json', code: 'case-count-mismatch', message: 'numTraining is 5 but training lists 4 cases' },
      { severity: 'error', case: 'a', file: 'imagesTr/a.nii.gz', code: 'duplicate-case', message: 'case a is listed more than once; the repeat is ignored' },
      { severity: 'error', case: 'c', file: 'imagesTr/c.nii.gz', code: 'missing-label', message: 'training case c has no label file' },
      { severity: 'warning', case: null, file: 'imagesTr/extra.nii.gz', code: 'unlisted-file', message: 'imagesTr/extra.nii.gz is in the dataset folder but no case uses it' },
    ]);
  });

  it('nnU-Net v2: channels per file, cases from file names, a missing channel file is still listed, an extra channel is unlisted', async () => {
    await writeFixture(folder, {
      'dataset.json': { channel_names: { 0: 'T2', 1: 'ADC' }, labels: { background: 0, PZ: 1, TZ: 2 }, numTraining: 3, file_ending: '.nii.gz', name: 'Prostate' },
      'imagesTr/p1_0000.nii.gz': '',
      'imagesTr/p1_0001.nii.gz': '',
      'imagesTr/p2_0000.nii.gz': '',
      'imagesTr/p2_0002.nii.gz': '',
      'imagesTr/readme.txt': '',
      'labelsTr/p1.nii.gz': '',
      'labelsTr/p2.nii.gz': '',
      'imagesTs/q_0000.nii.gz': '',
      'imagesTs/q_0001.nii.gz': '',
    });
    expect((await detectLayout(folder)).layout).toBe('nnunet-v2');
    const listing = await readDatasetLayout(folder);
    expect({ ...listing, findings: brief(listing.findings) }).toEqual({
      folder,
      layout: 'nnunet-v2',
      name: 'Prostate',
      description: '',
      channels: ['T2', 'ADC'],
      labels: { 0: 'background', 1: 'PZ', 2: 'TZ' },
      cases: [
        { id: 'p1', split: 'training', images: ['imagesTr/p1_0000.nii.gz', 'imagesTr/p1_0001.nii.gz'], label: 'labelsTr/p1.nii.gz' },
        { id: 'p2', split: 'training', images: ['imagesTr/p2_0000.nii.gz', 'imagesTr/p2_0001.nii.gz'], label: 'labelsTr/p2.nii.gz' },
        { id: 'q', split: 'test', images: ['imagesTs/q_0000.nii.gz', 'imagesTs/q_0001.nii.gz'], label: null },
      ],
      findings: [
        { severity: 'error', case: null, file: 'dataset.json', code: 'case-count-mismatch', message: 'numTraining is 3 but 2 training cases were found' },
        { severity: 'warning', case: null, file: 'imagesTr/p2_0002.nii.gz', code: 'unlisted-file', message: 'imagesTr/p2_0002.nii.gz is in the dataset folder but no case uses it' },
        { severity: 'warning', case: null, file: 'imagesTr/readme.txt', code: 'unlisted-file', message: 'imagesTr/readme.txt is in the dataset folder but no case uses it' },
      ],
    });
  });

  it('nnU-Net v2: region-based labels are reported as unsupported', async () => {
    await writeFixture(folder, {
      'dataset.json': { channel_names: { 0: 'FLAIR' }, labels: { background: 0, whole_tumor: [1, 2, 3], tumor_core: [2, 3], enhancing: 3 }, regions_class_order: [1, 2, 3], numTraining: 0, file_ending: '.nii.gz' },
    });
    const listing = await readDatasetLayout(folder);
    expect(brief(listing.findings)).toEqual([
      { severity: 'error', case: null, file: 'dataset.json', code: 'labels-regions-unsupported', message: 'labels whole_tumor, tumor_core are regions (lists of values); VoxNAS trains one class per label value' },
      { severity: 'error', case: null, file: 'dataset.json', code: 'labels-not-consecutive', message: 'labels 0, 3 are not consecutive from 0' },
    ]);
  });

  it('folder pair: images/ and labels/ matched by stem, whatever the extension; orphans on either side are errors', async () => {
    await writeFixture(folder, {
      'images/a.nii.gz': '',
      'images/b.nii': '',
      'images/c.hdr': '',
      'images/c.img': '',
      'images/only-image.nii.gz': '',
      'labels/a.nii.gz': '',
      'labels/b.nii.gz': '',
      'labels/c.nii.gz': '',
      'labels/only-label.nii.gz': '',
      'labels/notes.txt': '',
    });
    const listing = await readDatasetLayout(folder);
    expect({ layout: listing.layout, channels: listing.channels, labels: listing.labels, cases: listing.cases, findings: brief(listing.findings) }).toEqual({
      layout: 'folder-pair',
      channels: null,
      labels: null,
      cases: [
        { id: 'a', split: 'training', images: ['images/a.nii.gz'], label: 'labels/a.nii.gz' },
        { id: 'b', split: 'training', images: ['images/b.nii'], label: 'labels/b.nii.gz' },
        { id: 'c', split: 'training', images: ['images/c.hdr'], label: 'labels/c.nii.gz' },
        { id: 'only-image', split: 'training', images: ['images/only-image.nii.gz'], label: null },
        { id: 'only-label', split: 'training', images: [], label: 'labels/only-label.nii.gz' },
      ],
      findings: [
        { severity: 'error', case: 'only-image', file: 'images/only-image.nii.gz', code: 'missing-label', message: 'training case only-image has no label file' },
        { severity: 'error', case: 'only-label', file: 'labels/only-label.nii.gz', code: 'missing-image', message: 'case only-label has a label but no image' },
        { severity: 'warning', case: null, file: 'labels/notes.txt', code: 'unlisted-file', message: 'labels/notes.txt is in the dataset folder but no case uses it' },
      ],
    });
  });

  it('refuses what is not a dataset with an InputError that says what to give', async () => {
    await writeFixture(folder, { 'notes.txt': 'hello', 'broken/dataset.json': '{"name": ', 'other/dataset.json': { name: 'x' } });
    const problems = await Promise.all(
      [folder, `${folder}/broken`, `${folder}/other`, `${folder}/missing`].map((path) =>
        readDatasetLayout(path).then(
          () => 'read',
          (error: unknown) => (error instanceof InputError ? error.problem.replace(/^is not valid JSON \(.*\)$/, 'is not valid JSON (...)') : `not an InputError: ${String(error)}`),
        ),
      ),
    );
    expect(problems).toEqual([
      'holds no dataset.json and no images/ and labels/ folders',
      'is not valid JSON (...)',
      'has a dataset.json that is neither MSD (training, modality) nor nnU-Net v2 (channel_names, file_ending)',
      'is not a readable folder',
    ]);
  });
});
