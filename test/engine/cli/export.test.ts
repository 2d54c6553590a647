import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOnnxHeader } from '../../../engine/export/index.ts';
import { voxnasInProcess as voxnas } from '../../support/cli.ts';

const folder = mkdtempSync(join(tmpdir(), 'voxnas-export-'));


const pythonHasOnnx = (() => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import onnx'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('voxnas export', () => {
  const out = join(folder, 'reference.onnx');

  it('writes the reference network and checks onnxruntime against tfjs (random weights)', async () => {
    const result = await voxnas('export', '--genome', 'resources/genomes/reference-unet.json', '--out', out, '--verify', '--backend', 'wasm');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ archId: 'a36545b3b31d9c63', weights: 'random (seeded)', parity: { passed: true, tolerance: 1e-4, inputShape: [1, 1, 8, 16, 8] } });
    expect(report.parity.maxAbsDifference).toBeLessThan(1e-4);
    expect(report.parity.backend).toMatch(/^wasm: forced by option/);
    const header = readOnnxHeader(readFileSync(out));
    expect([header.irVersion, header.inputs[0]?.name, header.outputs[0]?.name, header.metadata['archId']]).toEqual([8, 'image', 'probabilities', 'a36545b3b31d9c63']);
  });

  it('passes onnx.checker.check_model(full_check=True) when python3-onnx is installed', async (context) => {
    if (!pythonHasOnnx) {
      process.stdout.write('skipped ONNX checker test: /usr/bin/python3 has no onnx module (apt-get install python3-onnx)\n');
      context.skip('/usr/bin/python3 has no onnx module (apt-get install python3-onnx)');
    }
    await voxnas('export', '--genome', 'resources/genomes/reference-unet.json', '--out', out);
    const script = 'import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True); print("ok")';
    expect(execFileSync('/usr/bin/python3', ['-c', script, out], { encoding: 'utf8' }).trim()).toBe('ok');
  });

  it('refuses a genome file that is not valid, naming the field', async () => {
    const result = await voxnas('export', '--genome', 'package.json', '--out', join(folder, 'x.onnx'));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^voxnas export: package\.json: is not a valid genome: schemaVersion: expected 1, got undefined; .*\n$/);
  });
});
