import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportOnnx } from '../../../engine/export/export-onnx.ts';
import { caseMetadata, caseSpec, EXPORT_CASES } from './support/export-cases.ts';
import { randomWeights } from './support/reference-forward.ts';

const PYTHON = '/usr/bin/python3';

/** Why the ONNX checker cannot run here, or null when it can. */
function checkerUnavailable(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import onnx; print(onnx.__version__)'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} is not installed (Debian: apt-get install -y python3-onnx)`;
  if (probe.status !== 0) return `python's onnx package is missing (Debian: apt-get install -y python3-onnx)`;
  return null;
}

const CHECK = `
import sys, onnx
for path in sys.argv[1:]:
    onnx.checker.check_model(onnx.load(path), full_check=True)
    print("ok", path.rsplit("/", 1)[-1])
`;

describe('ONNX checker (python onnx, optional)', () => {
  it('accepts every exported model with full_check (strict shape inference)', (context) => {
    const unavailable = checkerUnavailable();
    if (unavailable) {
      console.info(`ONNX checker test skipped: ${unavailable}`);
      context.skip(unavailable);
      return;
    }
    const folder = mkdtempSync(join(tmpdir(), 'voxnas-onnx-check-'));
    try {
      const files = EXPORT_CASES.map((entry, index) => {
        const spec = caseSpec(entry);
        const file = join(folder, `case${index}.onnx`);
        writeFileSync(file, exportOnnx(spec, randomWeights(spec, index), caseMetadata(entry), { path: entry.path }));
        return file;
      });
      const run = spawnSync(PYTHON, ['-c', CHECK, ...files], { encoding: 'utf8' });
      expect({ status: run.status, stderr: run.stderr, stdout: run.stdout }).toEqual({ status: 0, stderr: '', stdout: files.map((_, index) => `ok case${index}.onnx\n`).join('') });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
