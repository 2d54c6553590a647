import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migratePlansJson } from '../../../engine/api/plans.ts';
import { msdJson, temporaryFolder, volume, writeFixture } from '../../support/dataset-fixtures.ts';
import { voxnasInProcess as cli } from '../../support/cli.ts';


let folder: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ folder, cleanup } = await temporaryFolder('voxnas-plan-cli-')));
afterEach(async () => cleanup());

describe('voxnas plan', () => {
  it('imports, plans and preprocesses the sample into the workspace; prints the reasoning; a second run reuses the cache', async () => {
    const workspace = join(folder, 'ws');
    const first = await cli('plan', 'resources/sample', '-w', workspace, '--device', 'gpu', '--budget-gb', '0.5', '--workers', '0');
    const second = await cli('plan', 'resources/sample', '--workspace', workspace, '--device', 'gpu', '--budget-gb', '0.5', '--workers', '0', '--json');
    const plans = migratePlansJson(JSON.parse(await readFile(join(workspace, 'plans.json'), 'utf8')));
    const report = JSON.parse(second.stdout) as { plans: { dataId: string; patchSize: number[] }; preprocessing: { computed: number; reused: number } };
    expect({
      codes: [first.code, second.code],
      valid: plans.ok,
      patch: report.plans.patchSize,
      preprocessing: [report.preprocessing.computed, report.preprocessing.reused],
      files: (await readdir(workspace)).sort(),
      cases: (await readdir(join(workspace, 'preprocessed', report.plans.dataId))).length,
      printed: [first.stdout.includes('  - Memory budget 0.50 GiB: given for device gpu.'), first.stdout.includes('10 computed in this process, 0 reused from the cache'), first.stderr.endsWith('preprocessed 10/10\n'), second.stderr],
    }).toEqual({
      codes: [0, 0],
      valid: true,
      patch: [24, 40, 32],
      preprocessing: [0, 10],
      files: ['dataset.json', 'fingerprint.json', 'plans.json', 'preprocessed'],
      cases: 21,
      printed: [true, true, true, ''],
    });
  });

  it('answers bad input with exit code 2 and one line', async () => {
    const broken = join(folder, 'broken');
    await writeFixture(broken, { 'dataset.json': msdJson(['a']), 'imagesTr/a.nii.gz': volume([2, 2, 2], new Float32Array(8).fill(1)) });
    const results = await Promise.all([
      cli('plan', 'resources/sample'),
      cli('plan', '-w', join(folder, 'x'), '--device', 'tpu'),
      cli('plan', '-w', join(folder, 'x'), '--budget-gb', 'lots'),
      cli('plan', join(folder, 'missing'), '-w', join(folder, 'x')),
      cli('plan', broken, '-w', join(folder, 'x')),
    ]);
    const usage = ' Usage: voxnas plan [<dataset-folder>] -w <workspace> [--budget-gb N] [--device cpu|gpu] [--workers N] [--json]\n';
    expect(results.map(({ code, stderr }) => [code, stderr.replaceAll(folder, '<tmp>')])).toEqual([
      [2, `voxnas plan: name the workspace with -w <folder>.${usage}`],
      [2, `voxnas plan: --device takes cpu or gpu, not 'tpu'.${usage}`],
      [2, `voxnas plan: --budget-gb takes a positive number of GiB, not 'lots'.${usage}`],
      [2, 'voxnas plan: <tmp>/missing: is not a readable folder. Give the folder that holds the dataset (dataset.json, or images/ and labels/).\n'],
      [2, `voxnas plan: <tmp>/broken has 1 error, 1 warning; run 'voxnas dataset check' and fix them (or 'voxnas dataset import --force' to leave those cases out). First: [missing-file] a: labelsTr/a.nii.gz does not exist.\n`],
    ]);
  });
});

describe('voxnas from another working directory', () => {
  it('plans the sample with its worker processes when started outside the project folder', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join, resolve } = await import('node:path');
    const elsewhere = await mkdtemp(join(tmpdir(), 'voxnas-cwd-'));
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [resolve('engine/cli/bin.mjs'), 'plan', resolve('resources/sample'), '-w', join(elsewhere, 'ws')], { cwd: elsewhere });
      expect(stdout).toMatch(/Preprocessed 10 cases into .*: 10 computed in 2 worker processes/);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  }, 60_000);
});
