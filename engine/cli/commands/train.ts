import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BACKEND_NAMES, selectBackend, type BackendName } from '../../backend/select-backend.ts';
import { parseFoldChoice } from '../../data/splits.ts';
import { chooseOptimizer, writeTrainedModel } from '../../jobs/train-job.ts';
import { loadGenome } from '../../network/load-genome.ts';
import { parseBudget, trainInWorkspace } from '../../train/train-workspace.ts';
import { EXIT, type CliCommand } from '../cli-io.ts';
import { parseOptions } from '../parse-options.ts';

const USAGE = 'voxnas train -w <workspace> [--genome <file>|baseline] [--fold 0-4|all] [--budget 45m|300steps|4epochs] [--seed N] [--batch N] [--validate-every N] [--optimizer sgd|adam] [--keep last|best] [--no-augmentation] [--backend tensorflow|wasm|cpu] [--json]';

export const trainCommand: CliCommand = {
  summary: 'Train a network on a planned workspace (resumable: run the same command again after a crash)',
  usage: USAGE,
  async run(args, io) {
    const parsed = parseOptions(args, { values: ['-w', '--workspace', '--genome', '--fold', '--budget', '--seed', '--backend', '--batch', '--validate-every', '--optimizer', '--keep'], flags: ['--json', '--no-augmentation'] });
    const fail = (message: string) => {
      io.stderr.write(`voxnas train: ${message}. Usage: ${USAGE}\n`);
      return EXIT.badInput;
    };
    if ('error' in parsed) return fail(parsed.error);
    const { values, flags } = parsed;
    const workspace = values['-w'] ?? values['--workspace'];
    if (!workspace) return fail('-w <workspace> is required');
    const fold = parseFoldChoice(values['--fold'] ?? '0');
    if (fold === null) return fail(`--fold takes 0-4 or all, not '${values['--fold']}'`);
    const budget = parseBudget(values['--budget'] ?? '45m');
    if (budget === null) return fail(`--budget takes e.g. 45m, 2h, 300steps or 4epochs, not '${values['--budget']}'`);
    const seed = Number(values['--seed'] ?? 0);
    if (!Number.isInteger(seed) || seed < 0) return fail('--seed takes a non-negative integer');
    const positiveOrNull = (name: string) => (values[name] === undefined ? null : Number.isInteger(Number(values[name])) && Number(values[name]) > 0 ? Number(values[name]) : Number.NaN);
    const batchSize = positiveOrNull('--batch');
    const validateEvery = positiveOrNull('--validate-every');
    if (Number.isNaN(batchSize) || Number.isNaN(validateEvery)) return fail('--batch and --validate-every take positive integers');
    const optimizerName = values['--optimizer'];
    if (optimizerName !== undefined && optimizerName !== 'sgd' && optimizerName !== 'adam') return fail(`--optimizer takes sgd or adam, not '${optimizerName}'`);
    const keep = values['--keep'] ?? 'last';
    if (keep !== 'last' && keep !== 'best') return fail(`--keep takes last (the final weights) or best (the best validation checkpoint), not '${keep}'`);
    const backend = values['--backend'];
    if (backend !== undefined && !(BACKEND_NAMES as readonly string[]).includes(backend)) return fail(`--backend must be one of ${BACKEND_NAMES.join(', ')}`);
    const genomeArg = values['--genome'] ?? 'baseline';
    const genome = genomeArg === 'baseline' ? undefined : await loadGenome(genomeArg);
    const choice = await selectBackend(backend ? { force: backend as BackendName } : {});
    const optimizer = chooseOptimizer(choice, optimizerName);
    io.stderr.write(`backend ${choice.reason}; optimizer ${optimizer.kind}\n`);
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const result = await trainInWorkspace({
        workspace,
        ...(genome ? { genome } : {}),
        fold,
        budget,
        seed,
        augmentation: !flags.has('--no-augmentation'),
        optimizer,
        ...(batchSize !== null ? { batchSize } : {}),
        ...(validateEvery !== null ? { validateEvery } : {}),
        keep,
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === 'step') io.stderr.write(`step ${event.step}: loss ${event.loss.toFixed(4)}, ${event.secondsPerStep.toFixed(2)} s/step${event.etaSeconds !== null ? `, ETA ${Math.round(event.etaSeconds)} s` : ''}\n`);
          if (event.type === 'validation') io.stderr.write(`step ${event.step}: validation Dice ${event.meanPerClass.map((dice) => dice.toFixed(3)).join(' / ')} (mean ${event.meanDice.toFixed(4)})${event.best ? ', best so far' : ''}\n`);
          if (event.type === 'resumed') io.stderr.write(`resumed at step ${event.step}\n`);
        },
      });
      const { folder: modelFolder, metrics } = await writeTrainedModel(result, { workspace, fold, seed, keep, backend: choice.reason });
      const report = { runId: result.runId, model: modelFolder, reason: result.reason, steps: result.state.step, trainingSeconds: Math.round(result.state.trainingSeconds), validation: metrics.validation, onnxParity: metrics.onnxParity };
      io.stdout.write(flags.has('--json') ? `${JSON.stringify(report)}\n` : `model written to ${modelFolder}\n${await readFile(join(modelFolder, 'model-card.md'), 'utf8')}`);
      return result.reason === 'cancelled' ? EXIT.failed : EXIT.ok;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
};
