import { copyFile, mkdir, readdir, readFile, symlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseMetricsReport } from '../../../engine/evaluate/metrics-report.ts';
import { writeNifti } from '../../../engine/io/nifti/write-nifti.ts';
import { readVolume } from '../../../engine/io/read-volume.ts';
import { temporaryFolder } from '../../support/dataset-fixtures.ts';
import { voxnasInProcess as cli } from '../../support/cli.ts';

const LABELS = 'resources/sample/labelsTr';


let folder: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ folder, cleanup } = await temporaryFolder('voxnas-evaluate-')));
afterEach(async () => cleanup());

describe('voxnas evaluate', () => {
  it('the sample labels against themselves: Dice 1, HD95 0, surface Dice 1 for every case and label', async () => {
    const result = await cli('evaluate', '--pred', LABELS, '--labels', LABELS, '--json');
    const report = JSON.parse(result.stdout);
    const perfect = report.cases.flatMap((entry: { labels: Record<string, { dice: number; hd95: number; surfaceDice: number }> }) => Object.values(entry.labels).map((metrics) => [metrics.dice, metrics.hd95, metrics.surfaceDice]));
    expect({ code: result.code, stderr: result.stderr, cases: report.cases.length, labels: report.labels, perfect: new Set(perfect.map(String)), mean: report.mean, schemaVersion: report.schemaVersion }).toEqual({
      code: 0,
      stderr: '',
      cases: 10,
      labels: [1, 2],
      perfect: new Set(['1,0,1']),
      mean: { dice: 1, iou: 1, hd95: 0, surfaceDice: 1 },
      schemaVersion: 1,
    });
  });

  it('a folder of symbolic links to the label files is read like the files themselves', async () => {
    const links = join(folder, 'links');
    await mkdir(links);
    for (const name of await readdir(LABELS)) await symlink(resolve(LABELS, name), join(links, name));
    const result = await cli('evaluate', '--pred', links, '--labels', LABELS, '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).cases).toHaveLength(10);
  });

  it('a damaged prediction gets its known Dice; unpredicted references are a warning; CSV and table output', async () => {
    const predictions = join(folder, 'pred');
    await mkdir(predictions);
    // hippocampus_004: 1832 voxels of label 1. Remove the first 500 (in voxel order): Dice 2*1332/(1832+1332).
    const { volume } = await readVolume(join(LABELS, 'hippocampus_004.nii.gz'));
    const data = volume.data.slice();
    let removed = 0;
    for (let index = 0; index < data.length && removed < 500; index += 1) {
      if (data[index] === 1) {
        data[index] = 0;
        removed += 1;
      }
    }
    await writeNifti(join(predictions, 'hippocampus_004.nii.gz'), { ...volume, data });
    await copyFile(join(LABELS, 'hippocampus_008.nii.gz'), join(predictions, 'hippocampus_008.nii.gz'));
    const csv = join(folder, 'metrics.csv');

    const result = await cli('evaluate', '--pred', predictions, '--labels', LABELS, '--csv', csv, '--tolerance-mm', '2');
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 0,
      stderr: 'voxnas evaluate: warning: 8 reference(s) have no prediction and are left out: hippocampus_011, hippocampus_015, hippocampus_017, hippocampus_019, hippocampus_033, ...\n',
    });
    const dice = (2 * 1332) / (1832 + 1332);
    const lines = result.stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual(['2 case(s), labels 1, 2; surface Dice within 2 mm; means skip cases where a label is in neither map', 'label       dice     iou   hd95_mm  surf_dice  cases']);
    expect(lines[2]!.slice(0, 24)).toBe(`1       ${((dice + 1) / 2).toFixed(4).padStart(8)}${((1332 / 1832 + 1) / 2).toFixed(4).padStart(8)}`);
    expect(lines[3]!.startsWith('2         1.0000  1.0000      0.00     1.0000      2')).toBe(true);

    const rows = (await readFile(csv, 'utf8')).trim().split('\n');
    const damaged = rows.find((row) => row.startsWith('hippocampus_004,1,'))!.split(',');
    expect({ header: rows[0], dice: Number(damaged[2]), iou: Number(damaged[3]), voxels: damaged.slice(6), rows: rows.length, last: rows.at(-1)!.split(',').slice(0, 2) }).toEqual({
      header: 'case,label,dice,iou,hd95_mm,surface_dice,reference_voxels,prediction_voxels,empty',
      dice: expect.closeTo(dice, 12),
      iou: expect.closeTo(1332 / 1832, 12),
      voxels: ['1832', '1332', 'none'],
      rows: 1 + 4 + 2 + 1,
      last: ['mean', 'all'],
    });

    const json = await cli('evaluate', '--pred', predictions, '--labels', LABELS, '--json');
    const parsed = parseMetricsReport(JSON.parse(json.stdout));
    expect(parsed.ok && parsed.value.meanPerLabel['1']!.dice).toBeCloseTo((dice + 1) / 2, 12);
  });

  it('bad input exits 2 with one line naming the case: moved grid, prediction without reference, bad options', async () => {
    const predictions = join(folder, 'pred');
    await mkdir(predictions);
    const { volume } = await readVolume(join(LABELS, 'hippocampus_011.nii.gz'));
    const moved = join(predictions, 'hippocampus_011.nii.gz');
    await writeNifti(moved, { ...volume, origin: [volume.origin[0] + 2, volume.origin[1], volume.origin[2]] });
    const shifted = await cli('evaluate', '--pred', predictions, '--labels', LABELS);
    expect({ code: shifted.code, stderr: shifted.stderr }).toEqual({
      code: 2,
      stderr: `voxnas evaluate: ${moved}: case hippocampus_011: affine differs from its reference's by up to 2.00 mm (tolerance 0.001 mm). Predictions must be written on the grid of their reference (same dims and affine).\n`,
    });

    await writeNifti(join(predictions, 'hippocampus_011.nii.gz'), volume);
    await writeNifti(join(predictions, 'unknown_case.nii'), volume);
    const orphan = await cli('evaluate', '--pred', predictions, '--labels', LABELS);
    expect([orphan.code, orphan.stderr]).toEqual([2, `voxnas evaluate: ${predictions}: 1 prediction(s) have no reference in ${LABELS}: unknown_case. Name each prediction like its reference file.\n`]);

    const usage = await cli('evaluate', '--pred', predictions, '--tolerance-mm', 'x');
    expect([usage.code, usage.stderr.split('.')[0]]).toEqual([2, 'voxnas evaluate: --pred and --labels are required']);
    const tolerance = await cli('evaluate', '--pred', predictions, '--labels', LABELS, '--tolerance-mm', '-1');
    expect([tolerance.code, tolerance.stderr]).toEqual([2, "voxnas evaluate: --tolerance-mm takes a number of mm >= 0, got '-1'. Usage: voxnas evaluate --pred <folder> --labels <folder> [--classes 1,2] [--tolerance-mm 1] [--json] [--csv <file>]\n"]);
  });
});
