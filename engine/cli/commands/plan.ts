import { resolve } from 'node:path';
import { importCheckedDataset } from '../../data/dataset-check.ts';
import { planWorkspace } from '../../jobs/plan-job.ts';
import { sampleDatasetDir } from '../../runtime/paths.ts';
import { EXIT, type CliCommand } from '../cli-io.ts';
import { parseOptions } from '../parse-options.ts';
import { formatSummary } from './dataset-report.ts';

const USAGE = `voxnas plan [<dataset-folder>] -w <workspace> [--budget-gb N] [--device cpu|gpu] [--workers N] [--json]
  <dataset-folder>  an MSD, nnU-Net v2 raw, or images/ + labels/ folder (default: the embedded sample)
  -w, --workspace   where dataset.json, fingerprint.json, plans.json and preprocessed/ are written
  --budget-gb N     memory budget in GiB (default: 8 on gpu; on cpu half the free memory, at most 4)
  --device          where training will run (default cpu)
  --workers N       preprocessing processes (default 2; 0 = in this process)`;

export const planCommand: CliCommand = {
  summary: 'Import and check a dataset, plan spacing, normalization, patch, batch and network, and preprocess it',
  usage: USAGE,
  async run(args, io) {
    const parsed = parseOptions(args, { values: ['-w', '--workspace', '--budget-gb', '--device', '--workers'], flags: ['--json'] });
    const fail = (message: string) => {
      io.stderr.write(`voxnas plan: ${message}. Usage: ${USAGE.split('\n')[0]}\n`);
      return EXIT.badInput;
    };
    if ('error' in parsed) return fail(parsed.error);
    const { values, flags, positional } = parsed;
    if (positional.length > 1) return fail(`give one dataset folder, not ${positional.length}`);
    const workspaceArg = values['-w'] ?? values['--workspace'];
    if (workspaceArg === undefined) return fail('name the workspace with -w <folder>');
    const device = values['--device'] ?? 'cpu';
    if (device !== 'cpu' && device !== 'gpu') return fail(`--device takes cpu or gpu, not '${device}'`);
    const budgetGb = values['--budget-gb'] === undefined ? undefined : Number(values['--budget-gb']);
    if (budgetGb !== undefined && !(Number.isFinite(budgetGb) && budgetGb > 0)) return fail(`--budget-gb takes a positive number of GiB, not '${values['--budget-gb']}'`);
    const workers = values['--workers'] === undefined ? 2 : Number(values['--workers']);
    if (!Number.isInteger(workers) || workers < 0 || workers > 64) return fail(`--workers takes an integer from 0 to 64, not '${values['--workers']}'`);
    const folder = resolve(positional[0] ?? sampleDatasetDir());
    const workspace = resolve(workspaceArg);

    const outcome = await importCheckedDataset(folder, workspace);
    if (!outcome.imported || outcome.dataset === null) {
      const finding = outcome.check.report.findings.find((entry) => entry.severity === 'error');
      const first = finding ? ` First: [${finding.code}] ${finding.case ? `${finding.case}: ` : ''}${finding.message}.` : '';
      io.stderr.write(`voxnas plan: ${folder} has ${formatSummary(outcome.check.report)}; run 'voxnas dataset check' and fix them (or 'voxnas dataset import --force' to leave those cases out).${first}\n`);
      return EXIT.badInput;
    }
    let lastShown = 0;
    const { plans, preprocessing: summary } = await planWorkspace(workspace, outcome.dataset, outcome.check.fingerprint, {
      device,
      ...(budgetGb === undefined ? {} : { budgetGb }),
      workers,
      onProgress({ done, total }) {
        // A line per tenth of the cases, so a log stays short.
        if (!flags.has('--json') && (done === total || done - lastShown >= Math.max(1, Math.ceil(total / 10)))) {
          lastShown = done;
          io.stderr.write(`preprocessed ${done}/${total}\n`);
        }
      },
    });
    if (flags.has('--json')) {
      io.stdout.write(`${JSON.stringify({ workspace, plans, preprocessing: summary }, null, 2)}\n`);
      return EXIT.ok;
    }
    io.stdout.write(`Plan for ${plans.dataset.name} (${workspace}/plans.json):\n${plans.reasoning.map((line) => `  - ${line}`).join('\n')}\n`);
    io.stdout.write(
      `Preprocessed ${summary.cases} cases into ${summary.folder}: ${summary.computed} computed${summary.computed === 0 ? '' : summary.workers === 0 ? ' in this process' : ` in ${summary.workers} worker process${summary.workers === 1 ? '' : 'es'}`}, ${summary.reused} reused from the cache, ${summary.seconds} s.\n`,
    );
    return EXIT.ok;
  },
};
