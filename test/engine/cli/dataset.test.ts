import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateDatasetJson } from '../../../engine/api/dataset.ts';
import { migrateFingerprintJson } from '../../../engine/api/fingerprint.ts';
import { msdJson, temporaryFolder, volume, writeFixture } from '../../support/dataset-fixtures.ts';
import { voxnasInProcess as cli } from '../../support/cli.ts';

const execFileAsync = promisify(execFile);


let folder: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ folder, cleanup } = await temporaryFolder()));
afterEach(async () => cleanup());

/** Two cases: `good`, and `bad` whose label holds the undeclared value 3. */
async function writeBrokenDataset(): Promise<string> {
  const dataset = join(folder, 'dataset');
  const labels = Uint8Array.from({ length: 8 }, (_, index) => index % 3);
  await writeFixture(dataset, {
    'dataset.json': msdJson(['good', 'bad']),
    'imagesTr/good.nii.gz': volume([2, 2, 2], Float32Array.from({ length: 8 }, (_, index) => index)),
    'labelsTr/good.nii.gz': volume([2, 2, 2], labels),
    'imagesTr/bad.nii.gz': volume([2, 2, 2], Float32Array.from({ length: 8 }, (_, index) => 10 + index)),
    'labelsTr/bad.nii.gz': volume([2, 2, 2], labels.map((value) => (value === 2 ? 3 : value))),
  });
  return dataset;
}

describe('voxnas dataset', () => {
  it('check without a folder checks the embedded sample and prints report and fingerprint as JSON', async () => {
    const result = await cli('dataset', 'check', '--json');
    const parsed = JSON.parse(result.stdout);
    expect({ code: result.code, stderr: result.stderr, errors: parsed.report.errors, cases: parsed.report.caseCount, measured: parsed.fingerprint.caseCount, layout: parsed.report.layout }).toEqual({
      code: 0,
      stderr: '',
      errors: 0,
      cases: 10,
      measured: 10,
      layout: 'msd',
    });
  });

  it('check reports error-level findings with exit code 2 and one line on stderr', async () => {
    const dataset = await writeBrokenDataset();
    const result = await cli('dataset', 'check', dataset);
    expect({ code: result.code, stderr: result.stderr, report: result.stdout.includes('[label-value-undeclared] bad labelsTr/bad.nii.gz: labelsTr/bad.nii.gz has label value 3') }).toEqual({
      code: 2,
      stderr: `voxnas dataset check: ${dataset} has 1 error, 0 warnings (label-value-undeclared). First: [label-value-undeclared] bad: labelsTr/bad.nii.gz has label value 3, not declared (declared: 0, 1, 2).\n`,
      report: true,
    });
  });

  it('import refuses a dataset with errors, writes nothing, and says which; --force imports the clean cases', async () => {
    const dataset = await writeBrokenDataset();
    const workspace = join(folder, 'workspace');
    const refused = await cli('dataset', 'import', dataset, '--workspace', workspace);
    const files = await readdir(workspace).catch(() => 'none');
    const forced = await cli('dataset', 'import', dataset, '--workspace', workspace, '--force');
    const written = JSON.parse(await readFile(join(workspace, 'dataset.json'), 'utf8'));
    const fingerprint = migrateFingerprintJson(JSON.parse(await readFile(join(workspace, 'fingerprint.json'), 'utf8')));
    expect({
      refused: [refused.code, refused.stderr],
      files,
      forced: [forced.code, forced.stderr, forced.stdout.split('\n').at(-2)],
      cases: written.cases.map((entry: { id: string }) => entry.id),
      fingerprint: fingerprint.ok ? [fingerprint.value.cases.map((entry) => entry.id), fingerprint.value.excludedCases] : fingerprint.errors,
      workspace: (await readdir(workspace)).sort(),
    }).toEqual({
      refused: [
        2,
        `voxnas dataset import: refused to import ${dataset}: 1 error, 0 warnings (label-value-undeclared). First: [label-value-undeclared] bad: labelsTr/bad.nii.gz has label value 3, not declared (declared: 0, 1, 2). Fix them, or pass --force to import without the 1 cases that have errors.\n`,
      ],
      files: 'none',
      forced: [0, '', `Imported 1 cases (left out 1 with errors: bad) into ${workspace}: dataset.json, fingerprint.json`],
      cases: ['good'],
      fingerprint: [['good'], ['bad']],
      workspace: ['dataset.json', 'fingerprint.json'],
    });
  });

  it('import of the sample writes a dataset.json and a fingerprint.json that validate', async () => {
    const workspace = join(folder, 'workspace');
    const result = await cli('dataset', 'import', '--workspace', workspace, '--json');
    const dataset = migrateDatasetJson(JSON.parse(await readFile(join(workspace, 'dataset.json'), 'utf8')));
    const fingerprint = migrateFingerprintJson(JSON.parse(await readFile(join(workspace, 'fingerprint.json'), 'utf8')));
    expect({ code: result.code, imported: JSON.parse(result.stdout).imported, cases: dataset.ok && dataset.value.cases.length, measured: fingerprint.ok && fingerprint.value.caseCount }).toEqual({ code: 0, imported: true, cases: 10, measured: 10 });
  });

  it('bad arguments and unreadable folders exit 2 with one line that says what to do', async () => {
    const results = await Promise.all([cli('dataset'), cli('dataset', 'frob'), cli('dataset', 'import', folder), cli('dataset', 'check', '--force'), cli('dataset', 'check', join(folder, 'missing'))]);
    expect(results.map(({ code, stderr }) => [code, stderr.split('\n')[0]])).toEqual([
      [2, 'voxnas dataset: name a subcommand, check or import. Usage: voxnas dataset check [<folder>] [--json]'],
      [2, "voxnas dataset: unknown subcommand 'frob'. Usage: voxnas dataset check [<folder>] [--json]"],
      [2, 'voxnas dataset: import needs --workspace <dir>. Usage: voxnas dataset check [<folder>] [--json]'],
      [2, "voxnas dataset: unknown option '--force'. Usage: voxnas dataset check [<folder>] [--json]"],
      [2, `voxnas dataset check: ${join(folder, 'missing')}: is not a readable folder. Give the folder that holds the dataset (dataset.json, or images/ and labels/).`],
    ]);
  });

  it('the installed command prints no stack trace for a folder that is not a dataset', async () => {
    const failed = await execFileAsync('npx', ['--no-install', 'voxnas', 'dataset', 'check', folder], { encoding: 'utf8' }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect('code' in failed ? [failed.code, failed.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('npm warn')).length, failed.stderr.includes('    at ')] : 'exit 0').toEqual([2, 1, false]);
  });
});
