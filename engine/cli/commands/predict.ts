import { loadModelPredictor, type Runtime } from '../../evaluate/model-predictor.ts';
import { predictFiles } from '../../evaluate/predict-files.ts';
import { EXIT, type CliCommand } from '../cli-io.ts';
import { parseOptions } from '../parse-options.ts';

const USAGE = 'voxnas predict --model <model-folder|model.onnx> --input <file|folder of .nii.gz> --output <folder> [--runtime tfjs|onnx] [--no-mirror] [--json]\n  Mirroring test-time augmentation (8 flips averaged) is on by default, as in nnU-Net; --no-mirror predicts once (8x faster).';

export const predictCommand: CliCommand = {
  summary: 'Segment NIfTI images with a trained model; masks are written in each image\'s own geometry',
  usage: USAGE,
  async run(args, io) {
    const parsed = parseOptions(args, { values: ['--model', '--input', '--output', '--runtime'], flags: ['--mirror', '--no-mirror', '--json'] });
    const fail = (message: string) => {
      io.stderr.write(`voxnas predict: ${message}. Usage: ${USAGE.split('\n')[0]}\n`);
      return EXIT.badInput;
    };
    if ('error' in parsed) return fail(parsed.error);
    const { values, flags } = parsed;
    if (!values['--model'] || !values['--input'] || !values['--output']) return fail('--model, --input and --output are required');
    const runtime = (values['--runtime'] ?? (values['--model'].endsWith('.onnx') ? 'onnx' : 'tfjs')) as Runtime;
    if (runtime !== 'tfjs' && runtime !== 'onnx') return fail(`--runtime takes tfjs or onnx, not '${runtime}'`);
    if (runtime === 'tfjs' && values['--model'].endsWith('.onnx')) return fail('a bare model.onnx runs on onnxruntime (--runtime onnx); give the model folder to use tfjs');
    if (runtime === 'tfjs') await (await import('../../backend/select-backend.ts')).selectBackend();
    const model = await loadModelPredictor(values['--model'], runtime);
    try {
      const written = await predictFiles(values['--input'], values['--output'], model, {
        mirror: !flags.has('--no-mirror'),
        onCase: (id, done, total) => io.stderr.write(`predicted ${id} (${done}/${total})\n`),
      });
      io.stdout.write(flags.has('--json') ? `${JSON.stringify({ runtime, predictions: written })}\n` : `${written.length} prediction(s) written to ${values['--output']}\n`);
      return EXIT.ok;
    } finally {
      await model.dispose();
    }
  },
};
