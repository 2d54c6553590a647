import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { sampleDatasetDir } from '../../runtime/paths.ts';
import { EXIT, type CliCommand } from '../cli-io.ts';
import { parseOptions } from '../parse-options.ts';
import { evaluateCommand } from './evaluate.ts';
import { planCommand } from './plan.ts';
import { predictCommand } from './predict.ts';
import { trainCommand } from './train.ts';

const USAGE = 'voxnas demo [--workspace <dir>] [--budget 3m]';

/**
 * The main job in one command, on the embedded sample (10 MSD hippocampus cases): plan, a short
 * training of the baseline U-Net on fold 0, prediction of every sample image, and evaluation.
 * Each step is the same command a user would run; rerunning continues the same training run.
 */
export const demoCommand: CliCommand = {
  summary: 'Plan, train (briefly), predict and evaluate on the embedded sample dataset, in one go',
  usage: USAGE,
  async run(args, io) {
    const parsed = parseOptions(args, { values: ['--workspace', '--budget'], flags: [] });
    if ('error' in parsed || parsed.positional.length > 0) {
      io.stderr.write(`voxnas demo: ${'error' in parsed ? parsed.error : `unexpected argument '${parsed.positional[0]}'`}. Usage: ${USAGE}\n`);
      return EXIT.badInput;
    }
    const workspace = resolve(parsed.values['--workspace'] ?? 'voxnas-demo');
    const sample = sampleDatasetDir();
    const steps: [string, CliCommand, string[]][] = [
      ['plan', planCommand, [sample, '-w', workspace]],
      ['train', trainCommand, ['-w', workspace, '--fold', '0', '--budget', parsed.values['--budget'] ?? '3m', '--validate-every', '25']],
    ];
    for (const [name, command, commandArgs] of steps) {
      io.stderr.write(`\n== voxnas ${name} ${commandArgs.join(' ')}\n`);
      const code = await command.run(commandArgs, { stdout: io.stderr, stderr: io.stderr });
      if (code !== EXIT.ok) return code;
    }
    const models = (await readdir(join(workspace, 'models'))).filter((name) => name.startsWith('train-')).sort();
    const model = join(workspace, 'models', models[models.length - 1]!);
    const predictions = join(workspace, 'predictions', 'demo');
    io.stderr.write(`\n== voxnas predict --model ${model}\n`);
    const predicted = await predictCommand.run(['--model', model, '--input', join(sample, 'imagesTr'), '--output', predictions], { stdout: io.stderr, stderr: io.stderr });
    if (predicted !== EXIT.ok) return predicted;
    io.stderr.write(`\n== voxnas evaluate --pred ${predictions} --labels ${join(sample, 'labelsTr')}\n`);
    return evaluateCommand.run(['--pred', predictions, '--labels', join(sample, 'labelsTr')], io);
  },
};
