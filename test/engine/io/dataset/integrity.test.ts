import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IntegrityFinding } from '../../../../engine/api/integrity.ts';
import { checkDataset } from '../../../../engine/data/dataset-check.ts';
import { checkIntegrity } from '../../../../engine/io/dataset/integrity.ts';
import { readDatasetLayout } from '../../../../engine/io/dataset/layouts.ts';
import type { Vec3, VoxelArray } from '../../../../engine/io/volume.ts';
import { temporaryFolder, volume, writeFixture, type FixtureFile } from '../../../support/dataset-fixtures.ts';

const DIMS: Vec3 = [3, 3, 2];
const SIZE = 18;
/** A distinct image per case (byte-identical images are a finding of their own). */
const image = (seed: number, values?: (index: number) => number) => volume(DIMS, Float32Array.from({ length: SIZE }, (_, index) => (values ? values(index) : seed * 100 + index)));
const label = (data: VoxelArray = Uint8Array.from({ length: SIZE }, (_, index) => index % 3), geometry: Parameters<typeof volume>[2] = {}, dims: Vec3 = DIMS) => volume(dims, data, geometry);

/** Findings without hints; a reader's own wording of why a file is unreadable is cut off. */
const brief = (findings: IntegrityFinding[]) =>
  findings.map(({ severity, case: id, file, code, message }) => ({ severity, case: id, file, code, message: code === 'unreadable-file' ? message.replace(/cannot be read: .*/, 'cannot be read: ...') : message }));

let folder: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ folder, cleanup } = await temporaryFolder()));
afterEach(async () => cleanup());

describe('dataset integrity check', () => {
  it('finds every kind of broken case in an MSD folder and fingerprints only the clean ones', async () => {
    const cases: Record<string, { image: FixtureFile | null; label: FixtureFile | null }> = {
      ok: { image: image(1), label: label() },
      copy: { image: image(1), label: label() },
      'no-label-file': { image: image(2), label: null },
      'no-label-entry': { image: image(3), label: null },
      dims: { image: image(4), label: label(Uint8Array.from({ length: 27 }, (_, index) => index % 3), {}, [3, 3, 3]) },
      spacing: { image: image(5), label: label(undefined, { spacing: [1, 1, 2] }) },
      moved: { image: image(6), label: label(undefined, { origin: [5, 0, 0] }) },
      turned: { image: image(7), label: label(undefined, { direction: [[-1, 0, 0], [0, -1, 0], [0, 0, 1]] }) },
      label3: { image: image(8), label: label(Uint8Array.from({ length: SIZE }, (_, index) => (index === 4 ? 3 : index % 3))) },
      fraction: { image: image(9), label: label(Float32Array.from({ length: SIZE }, (_, index) => (index === 5 ? 1.5 : index % 3))) },
      nan: { image: image(10, (index) => (index === 0 ? NaN : index === 1 ? Infinity : index)), label: label() },
      empty: { image: image(11), label: label(new Uint8Array(SIZE)) },
      flat: { image: image(12, () => 7), label: label() },
      'two-channels': { image: volume(DIMS, new Float32Array(2 * SIZE).map((_, index) => index), { channels: 2 }), label: label() },
      garbage: { image: 'this is not an image', label: label() },
      truncated: { image: null, label: label() },
      'multi-label': { image: image(13), label: volume(DIMS, Uint8Array.from({ length: 2 * SIZE }, (_, index) => index % 3), { channels: 2 }) },
    };
    const files: Record<string, FixtureFile | object> = { 'imagesTr/stray.nii.gz': image(14) };
    for (const [id, { image: picture, label: mask }] of Object.entries(cases)) {
      if (picture !== null) files[`imagesTr/${id}.nii.gz`] = picture;
      if (mask !== null) files[`labelsTr/${id}.nii.gz`] = mask;
    }
    const training = Object.keys(cases).map((id) => (id === 'no-label-entry' ? { image: `./imagesTr/${id}.nii.gz` } : { image: `./imagesTr/${id}.nii.gz`, label: `./labelsTr/${id}.nii.gz` }));
    training.push({ image: './imagesTr/ok.nii.gz', label: './labelsTr/ok.nii.gz' });
    files['dataset.json'] = { name: 'Broken', modality: { 0: 'MRI' }, labels: { 0: 'background', 1: 'one', 2: 'two' }, numTraining: training.length, training };
    await writeFixture(folder, files);
    const whole = await readFile(join(folder, 'imagesTr/ok.nii.gz'));
    await writeFixture(folder, { 'imagesTr/truncated.nii.gz': whole.subarray(0, 60) });

    const { report, fingerprint } = await checkDataset(folder, { concurrency: 3 });
    const where = (id: string, kind: 'image' | 'label') => ({ case: id, file: `${kind === 'image' ? 'imagesTr' : 'labelsTr'}/${id}.nii.gz` });
    const error = (id: string, kind: 'image' | 'label', code: string, message: string) => ({ severity: 'error', ...where(id, kind), code, message });
    const warning = (id: string, kind: 'image' | 'label', code: string, message: string) => ({ severity: 'warning', ...where(id, kind), code, message });
    expect({ ...report, folder: undefined, findings: brief(report.findings), fingerprint: { cases: fingerprint.cases.map((entry) => entry.id), excluded: fingerprint.excludedCases } }).toEqual({
      folder: undefined,
      layout: 'msd',
      caseCount: 17,
      readCases: 14,
      channels: 1,
      labelValues: [0, 1, 2, 3],
      errors: 12,
      warnings: 6,
      findings: [
        error('no-label-entry', 'image', 'missing-label', 'training case no-label-entry has no label file'),
        { severity: 'error', case: 'ok', file: 'imagesTr/ok.nii.gz', code: 'duplicate-case', message: 'case ok is listed more than once; the repeat is ignored' },
        { severity: 'warning', case: null, file: 'imagesTr/stray.nii.gz', code: 'unlisted-file', message: 'imagesTr/stray.nii.gz is in the dataset folder but no case uses it' },
        warning('copy', 'image', 'duplicate-content', 'imagesTr/copy.nii.gz has the same bytes as the image of case ok'),
        error('no-label-file', 'label', 'missing-file', 'labelsTr/no-label-file.nii.gz does not exist'),
        error('dims', 'label', 'dims-mismatch', 'labelsTr/dims.nii.gz has 3 x 3 x 3 voxels but imagesTr/dims.nii.gz has 3 x 3 x 2'),
        error('spacing', 'label', 'spacing-mismatch', 'labelsTr/spacing.nii.gz has spacing 1 x 1 x 2 mm but imagesTr/spacing.nii.gz has 1 x 1 x 1 mm'),
        warning('moved', 'label', 'origin-mismatch', 'labelsTr/moved.nii.gz has origin 5 x 0 x 0 mm (LPS) but imagesTr/moved.nii.gz has 0 x 0 x 0 mm'),
        warning('turned', 'label', 'direction-mismatch', 'labelsTr/turned.nii.gz has axis directions [[-1,0,0],[0,-1,0],[0,0,1]] but imagesTr/turned.nii.gz has [[1,0,0],[0,1,0],[0,0,1]]'),
        error('label3', 'label', 'label-value-undeclared', 'labelsTr/label3.nii.gz has label value 3, not declared (declared: 0, 1, 2)'),
        error('fraction', 'label', 'label-value-non-integer', 'labelsTr/fraction.nii.gz has 1 voxel that is not a whole number (for example 1.5)'),
        error('nan', 'image', 'image-non-finite', 'imagesTr/nan.nii.gz has 2 NaN or infinite voxels (of 18)'),
        warning('empty', 'label', 'label-empty', 'labelsTr/empty.nii.gz has no foreground voxel (every voxel is 0)'),
        warning('flat', 'image', 'image-constant', 'imagesTr/flat.nii.gz has the value 7 in every voxel'),
        error('two-channels', 'image', 'channel-count-mismatch', 'case two-channels: the image holds 2 channels, but 1 is declared'),
        error('garbage', 'image', 'unreadable-file', 'imagesTr/garbage.nii.gz cannot be read: ...'),
        error('truncated', 'image', 'unreadable-file', 'imagesTr/truncated.nii.gz cannot be read: ...'),
        error('multi-label', 'label', 'label-multichannel', 'labelsTr/multi-label.nii.gz has 2 channels; a label has one (only the first was checked)'),
      ],
      fingerprint: {
        // 'ok' is listed twice: a case with an error-level finding is left out until the listing is fixed.
        cases: ['copy', 'moved', 'turned', 'empty', 'flat'],
        excluded: ['ok', 'no-label-file', 'no-label-entry', 'dims', 'spacing', 'label3', 'fraction', 'nan', 'two-channels', 'garbage', 'truncated', 'multi-label'],
      },
    });
  });

  it('nnU-Net v2 with two channels: a missing channel file and a channel on another grid', async () => {
    const labels = label();
    await writeFixture(folder, {
      'dataset.json': { channel_names: { 0: 'T2', 1: 'ADC' }, labels: { background: 0, one: 1, two: 2 }, numTraining: 3, file_ending: '.nii.gz' },
      'imagesTr/p1_0000.nii.gz': image(1),
      'imagesTr/p1_0001.nii.gz': image(2),
      'labelsTr/p1.nii.gz': labels,
      'imagesTr/p2_0000.nii.gz': image(3),
      'labelsTr/p2.nii.gz': labels,
      'imagesTr/p3_0000.nii.gz': image(4),
      'imagesTr/p3_0001.nii.gz': volume([3, 3, 1], new Float32Array(9).fill(1).map((_, index) => index)),
      'labelsTr/p3.nii.gz': labels,
    });
    const { report, fingerprint } = await checkDataset(folder);
    expect({ findings: brief(report.findings), measured: fingerprint.cases.map((entry) => entry.id), channels: fingerprint.intensity.map((entry) => [entry.name, entry.foregroundVoxels]) }).toEqual({
      findings: [
        { severity: 'error', case: 'p2', file: 'imagesTr/p2_0001.nii.gz', code: 'missing-file', message: 'imagesTr/p2_0001.nii.gz does not exist' },
        { severity: 'error', case: 'p3', file: 'imagesTr/p3_0001.nii.gz', code: 'dims-mismatch', message: 'imagesTr/p3_0001.nii.gz has 3 x 3 x 1 voxels but imagesTr/p3_0000.nii.gz has 3 x 3 x 2' },
      ],
      measured: ['p1'],
      channels: [
        ['T2', 12],
        ['ADC', 12],
      ],
    });
  });

  it('folder pair: the first case sets the channel count; labels are taken from the files', async () => {
    await writeFixture(folder, {
      'images/a.nii.gz': volume(DIMS, new Float32Array(2 * SIZE).map((_, index) => index), { channels: 2 }),
      'labels/a.nii.gz': label(Uint8Array.from({ length: SIZE }, (_, index) => (index === 0 ? 5 : index % 2))),
      'images/b.nii': image(2),
      'labels/b.nii': label(),
    });
    const report = await checkIntegrity(await readDatasetLayout(folder));
    expect({ channels: report.channels, labelValues: report.labelValues, findings: brief(report.findings) }).toEqual({
      channels: 2,
      labelValues: [0, 1, 2, 5],
      findings: [{ severity: 'error', case: 'b', file: 'images/b.nii', code: 'channel-count-mismatch', message: 'case b: the image holds 1 channel, but the first case has 2' }],
    });
  });

  it.skipIf(process.platform === 'win32')('does not hang on a named pipe where an image should be', async () => {
    await writeFixture(folder, { 'images/a.nii': image(1), 'labels/a.nii': label() });
    execFileSync('mkfifo', [join(folder, 'images', 'b.nii')]);
    await writeFixture(folder, { 'labels/b.nii': label() });
    const report = await checkIntegrity(await readDatasetLayout(folder));
    expect(brief(report.findings)).toEqual([{ severity: 'error', case: 'b', file: 'images/b.nii', code: 'unreadable-file', message: 'images/b.nii is not a regular file or folder' }]);
  });

  it('checks the 182 shared hippocampus cases: no finding, well under 20 s', async () => {
    const check = await checkDataset('../shared/data/hippocampus');
    expect({ cases: check.report.caseCount, read: check.report.readCases, findings: check.report.findings, measured: check.fingerprint.caseCount, fast: check.seconds < 20 }).toEqual({ cases: 182, read: 182, findings: [], measured: 182, fast: true });
  });
});
