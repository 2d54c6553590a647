import { access, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { selectBackend } from '../../backend/select-backend.ts';
import { runSearchJob, SEARCH_STRATEGIES, type SearchJobEvent, type SearchStrategyName } from '../../search/search-job.ts';
import { parseBudget } from '../../train/train-workspace.ts';
import { EXIT, type CliCommand, type CliIo } from '../cli-io.ts';
import { parseOptions } from '../parse-options.ts';
import { planCommand } from './plan.ts';

const USAGE = `voxnas search <dataset-folder> [-w <workspace>] --strategy enas|random|darts|gumbel|c2fnas --budget <e.g. 2h> [--memory 8GB] [--fold 0-4] [--seed N] [--space <name>|<file>] [--init shared|scratch] [--search-fraction 0.3] [--json]
  Searches an architecture (search phase on 80 % of the fold's training cases, rewards on the other 20 %),
  then trains the selected one on the fold's training cases for the rest of the budget and writes a model folder.
  Spaces by default: ronasmis (enas, random), vnas (darts, gumbel), c2fnas (c2fnas). The final training starts
  from the supernet's weights for enas (--init shared) and from scratch for darts, gumbel and c2fnas (--init scratch).
  The search phase takes 30 % of the budget for enas (its shared weights are the final child's start) and 50 % for
  the others; --search-fraction sets it.
  Without -w a new workspace folder is created here and its path printed. Run the same command again to resume.`;

/** "8GB", "512MB", "2GiB" -> bytes; null when unreadable. */
export function parseMemory(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*(k|m|g)i?b$/i.exec(text.trim());
  if (!match) return null;
  return Math.round(Number(match[1]) * 1024 ** { k: 1, m: 2, g: 3 }[match[2]!.toLowerCase() as 'k' | 'm' | 'g']);
}

function describe(event: SearchJobEvent): string | null {
  const { source } = event;
  if (source === 'job') return event.event.message;
  if (source === 'enas') {
    const e = event.event;
    if (e.type === 'controller-step') return `controller step ${e.record.step}: mean reward ${e.record.meanReward.toFixed(3)}, entropy ${e.record.entropy.toFixed(2)}, best recent ${e.leaderboard[0]?.archId ?? '-'} ${e.leaderboard[0]?.meanDice.toFixed(3) ?? ''}, ${Math.round(e.etaSeconds)} s of search left`;
    if (e.type === 'finalist-evaluated') return `finalist ${e.archId}${e.greedy ? ' (greedy)' : ''}: Dice ${e.meanDice.toFixed(3)}`;
    if (e.type === 'search-resumed') return `search resumed at controller step ${e.controllerStep}`;
    return null;
  }
  if (source === 'random') {
    const e = event.event;
    if (e.type === 'trial-finished') return `candidate ${e.index} ${e.archId}: ${e.status}${e.metrics ? `, Dice ${e.metrics.meanDice.toFixed(3)}` : ''}${e.reason ? ` (${e.reason})` : ''}`;
    if (e.type === 'trial-rejected') return `candidate ${e.index} ${e.archId}: rejected (${e.reason})`;
    return null;
  }
  if (source === 'darts' || source === 'gumbel') {
    const e = event.event;
    if (e.type === 'arch-step' && (e.step === 1 || e.step % 10 === 0)) {
      const confidence = Object.values(e.softmax).map((weights) => Math.max(...weights));
      return `${source} step ${e.step}: weight loss ${e.weightLoss.toFixed(3)}, architecture loss ${e.architectureLoss?.toFixed(3) ?? '- (warm-up)'}${e.temperature !== null ? `, temperature ${e.temperature.toFixed(2)}` : ''}, top op weight ${Math.min(...confidence).toFixed(2)}-${Math.max(...confidence).toFixed(2)}, ${Math.round(e.etaSeconds)} s of search left`;
    }
    if (e.type === 'search-resumed') return `search resumed at step ${e.step}`;
    if (e.type === 'search-finished' && e.selected) return `derived ${e.selected.archId} by argmax: Dice ${e.selected.meanDice.toFixed(3)} with the shared weights`;
    return null;
  }
  if (source === 'c2fnas') {
    const e = event.event;
    if (e.type === 'stage-started') return `C2FNAS ${e.stage} stage for ${Math.round(e.wallSeconds)} s`;
    if (e.type === 'stage-finished') return `C2FNAS ${e.result.summary}`;
    if (e.type === 'macro' && e.event.type === 'trial-finished') return `topology ${e.event.index} ${e.event.archId}: ${e.event.status}${e.event.metrics ? `, Dice ${e.event.metrics.meanDice.toFixed(3)}` : ''}${e.event.reason ? ` (${e.event.reason})` : ''}`;
    if (e.type === 'macro' && e.event.type === 'trial-rejected') return `topology ${e.event.index} ${e.event.archId}: rejected (${e.event.reason})`;
    if (e.type === 'path-evaluated') return `path ${e.index} ${e.archId}: Dice ${e.meanDice.toFixed(3)} (${e.cases === 'all' ? 'every reward case' : 'case subset'})`;
    if (e.type === 'scaling-evaluated') return `scaling ${e.candidate.label}: ${e.result.meanDice !== null ? `Dice ${e.result.meanDice.toFixed(3)}` : `failed (${e.result.reason})`}`;
    return null;
  }
  const e = event.event;
  if (e.type === 'validation') return `final training step ${e.step}: validation Dice ${e.meanDice.toFixed(3)}`;
  return null;
}

export const searchCommand: CliCommand = {
  summary: 'Search an architecture (ENAS/RONASMIS, random, DARTS/V-NAS, Gumbel-softmax or C2FNAS), train the best one and write a model folder (resumable)',
  usage: USAGE,
  async run(args, io: CliIo) {
    const parsed = parseOptions(args, { values: ['-w', '--workspace', '--strategy', '--budget', '--memory', '--fold', '--seed', '--space', '--init', '--search-fraction'], flags: ['--json'] });
    const fail = (message: string) => {
      io.stderr.write(`voxnas search: ${message}. Usage: ${USAGE.split('\n')[0]}\n`);
      return EXIT.badInput;
    };
    if ('error' in parsed) return fail(parsed.error);
    const { values, flags, positional } = parsed;
    if (positional.length !== 1) return fail('give one dataset folder');
    const strategy = (values['--strategy'] ?? 'enas') === 'ronasmis' ? 'enas' : (values['--strategy'] ?? 'enas');
    if (!(SEARCH_STRATEGIES as readonly string[]).includes(strategy)) return fail(`--strategy takes ${SEARCH_STRATEGIES.join(', ')}, not '${strategy}'`);
    const budget = parseBudget(values['--budget'] ?? '2h');
    if (budget === null || !('wallSeconds' in budget)) return fail(`--budget takes a wall time such as 90m or 2h, not '${values['--budget']}'`);
    const memoryBytes = values['--memory'] === undefined ? null : parseMemory(values['--memory']);
    if (values['--memory'] !== undefined && memoryBytes === null) return fail(`--memory takes e.g. 8GB or 512MB, not '${values['--memory']}'`);
    const fold = Number(values['--fold'] ?? 0);
    if (!Number.isInteger(fold) || fold < 0 || fold > 4) return fail('--fold takes 0 to 4');
    const seed = Number(values['--seed'] ?? 0);
    if (!Number.isInteger(seed) || seed < 0) return fail('--seed takes a non-negative integer');
    // enas and random keep 'shared' (random ignores it): their run ids stay those of earlier versions.
    const init = values['--init'] ?? (strategy === 'enas' || strategy === 'random' ? 'shared' : 'scratch');
    if (init !== 'shared' && init !== 'scratch') return fail(`--init takes shared or scratch, not '${init}'`);
    if (init === 'shared' && strategy === 'c2fnas') return fail('--init shared needs a supernet of the final architecture: c2fnas retrains its result from scratch, leave --init out');

    const searchFraction = values['--search-fraction'] === undefined ? undefined : Number(values['--search-fraction']);
    if (searchFraction !== undefined && !(searchFraction > 0 && searchFraction < 1)) return fail(`--search-fraction takes a number between 0 and 1 (the search phase's share of the budget), not '${values['--search-fraction']}'`);

    let workspace = values['-w'] ?? values['--workspace'];
    if (workspace === undefined) {
      workspace = resolve(`voxnas-search-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}`);
      await mkdir(workspace, { recursive: true });
      io.stderr.write(`workspace: ${workspace}\n`);
    }
    const planned = await access(join(workspace, 'plans.json')).then(() => true, () => false);
    if (!planned) {
      const code = await planCommand.run([positional[0]!, '-w', workspace], { stdout: { write: () => true }, stderr: io.stderr });
      if (code !== EXIT.ok) return code;
    }
    const backend = await selectBackend({});
    io.stderr.write(`backend ${backend.reason}\n`);
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const result = await runSearchJob(
        { workspace, strategy: strategy as SearchStrategyName, budgetSeconds: budget.wallSeconds, memoryBytes, fold, seed, ...(values['--space'] ? { space: values['--space'] } : {}), ...(searchFraction !== undefined ? { searchFraction } : {}), finalInit: init },
        {
          signal: controller.signal,
          onEvent: (event) => {
            const line = describe(event);
            if (line) io.stderr.write(`${line}\n`);
          },
        },
      );
      if (result === null) {
        io.stderr.write('search cancelled: run the same command again to resume\n');
        return EXIT.failed;
      }
      const report = { workspace, runId: result.runId, model: result.model, selected: result.selected, searchSeconds: Math.round(result.searchSeconds), validation: result.metrics.validation, onnxParity: result.metrics.onnxParity, trace: result.trace };
      io.stdout.write(flags.has('--json') ? `${JSON.stringify(report)}\n` : `model written to ${result.model}\n${result.trace.join('\n')}\n`);
      return EXIT.ok;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
};
