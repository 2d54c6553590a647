import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { selectBackend, BACKEND_NAMES, type BackendName } from '../../backend/select-backend.ts';
import { exportGenome } from '../../export/export-genome.ts';
import { InputError } from '../../io/input-error.ts';
import { loadGenome } from '../../network/load-genome.ts';
import { writeFileAtomic } from '../../runtime/atomic-write.ts';
import { decodeTensorFile } from '../../runtime/tensor-file.ts';
import { EXIT, type CliCommand } from '../cli-io.ts';
import { parseOptions } from '../parse-options.ts';

const USAGE = 'voxnas export --genome <file> [--weights <model-folder>] --out <model.onnx> [--verify] [--channels C] [--classes K] [--backend tensorflow|wasm|cpu] [--json]';

async function readWeights(folder: string): Promise<Map<string, Float32Array>> {
  const path = join(folder, 'weights.vxtf');
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch {
    throw new InputError(path, 'cannot be read', 'Give a model folder written by `voxnas train` (it holds weights.vxtf), or leave --weights out for random weights.');
  }
  try {
    return new Map([...decodeTensorFile(bytes).tensors].map(([name, tensor]) => [name, tensor.data]));
  } catch (error) {
    throw new InputError(path, `is not a weights file (${(error as Error).message})`, 'Train the model again, or copy the model folder again.');
  }
}

export const exportCommand: CliCommand = {
  summary: 'Export a genome (with trained or random weights) to ONNX, optionally checking onnxruntime against tfjs',
  usage: USAGE,
  async run(args, io) {
    const parsed = parseOptions(args, { values: ['--genome', '--weights', '--out', '--channels', '--classes', '--backend'], flags: ['--verify', '--json'] });
    const fail = (message: string) => {
      io.stderr.write(`voxnas export: ${message}. Usage: ${USAGE}\n`);
      return EXIT.badInput;
    };
    if ('error' in parsed) return fail(parsed.error);
    const { values, flags } = parsed;
    if (!values['--genome'] || !values['--out']) return fail('--genome and --out are required');
    if (parsed.positional.length > 0) return fail(`unexpected argument '${parsed.positional[0]}'`);
    const channels = Number(values['--channels'] ?? 1);
    const classes = Number(values['--classes'] ?? 3);
    if (!Number.isInteger(channels) || channels < 1 || !Number.isInteger(classes) || classes < 2) return fail('--channels must be >= 1 and --classes >= 2 (integers)');
    const backend = values['--backend'];
    if (backend !== undefined && !(BACKEND_NAMES as readonly string[]).includes(backend)) return fail(`--backend must be one of ${BACKEND_NAMES.join(', ')}`);
    const genome = await loadGenome(values['--genome']);
    const weights = values['--weights'] ? await readWeights(values['--weights']) : undefined;
    const choice = flags.has('--verify') ? await selectBackend(backend ? { force: backend as BackendName } : {}) : null;
    const result = await exportGenome(
      genome,
      { inputChannels: channels, classes },
      {
        channelNames: Array.from({ length: channels }, (_unused, index) => `channel${index}`),
        labelNames: Array.from({ length: classes }, (_unused, index) => (index === 0 ? 'background' : `label${index}`)),
        labelValues: Array.from({ length: classes }, (_unused, index) => index),
        targetSpacing: [1, 1, 1],
        normalization: null,
        patchSize: [32, 32, 32],
      },
      { ...(weights ? { weights } : {}), verify: flags.has('--verify') },
    );
    await writeFileAtomic(values['--out'], result.model);
    const report = {
      out: values['--out'],
      archId: result.archId,
      bytes: result.model.length,
      weights: weights ? 'trained' : 'random (seeded)',
      ...(result.parity ? { parity: { maxAbsDifference: result.parity.maxAbsDifference, passed: result.parity.passed, tolerance: result.parity.tolerance, backend: choice?.reason, inputShape: result.parity.inputShape } } : {}),
    };
    io.stdout.write(flags.has('--json') || result.parity ? `${JSON.stringify(report)}\n` : `wrote ${report.out} (${report.bytes} bytes, ${report.weights} weights)\n`);
    if (result.parity && !result.parity.passed) {
      io.stderr.write(`voxnas export: parity check failed: onnxruntime differs from tfjs by ${result.parity.maxAbsDifference} (> ${result.parity.tolerance}).\n`);
      return EXIT.badInput;
    }
    return EXIT.ok;
  },
};
