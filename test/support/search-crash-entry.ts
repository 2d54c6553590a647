/**
 * A search run in its own process, for the crash test: `node --import tsx
 * test/support/search-crash-entry.ts <workspace> <evaluation log>`. Rerunning the same command
 * continues the run; it prints the outcome as JSON when done.
 */
import { fakeEvaluatorRef } from '../../engine/search/fake-evaluator.ts';
import { randomSearch } from '../../engine/search/random-search.ts';
import { runSearch } from '../../engine/search/run-search.ts';
import { workerPoolEngine } from '../../engine/search/worker-pool.ts';
import { TOY_MEMORY_BUDGET, TOY_TRAINING, comparable } from './search-run.ts';
import { toySpace } from './toy-space.ts';

const [workspace, logFile] = process.argv.slice(2);
if (!workspace || !logFile) throw new Error('usage: search-crash-entry.ts <workspace> <evaluation log>');
const outcome = await runSearch({
  workspace,
  runId: 'crash',
  space: toySpace,
  strategy: randomSearch(),
  evaluator: fakeEvaluatorRef({ delayMs: 150, logFile }),
  budgets: { candidates: 12, memoryBytes: TOY_MEMORY_BUDGET },
  training: TOY_TRAINING,
  seed: 7,
  engine: workerPoolEngine({ workers: 2 }),
});
process.stdout.write(`${JSON.stringify({ reason: outcome.reason, trials: comparable(outcome) })}\n`);
