/**
 * Crash safety: a search with two worker processes, killed with SIGKILL mid-run and started again
 * with the same command, completes with every trial finished before the kill kept (never re-run),
 * no corrupt file, and the same results as an uninterrupted run with the same seed.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createFakeEvaluator } from '../../../engine/search/fake-evaluator.ts';
import { randomSearch } from '../../../engine/search/random-search.ts';
import { runSearch } from '../../../engine/search/run-search.ts';
import { TOY_MEMORY_BUDGET, TOY_TRAINING, comparable, evaluationCounts, parseAllJson } from '../../support/search-run.ts';
import { toySpace } from '../../support/toy-space.ts';

const root = mkdtempSync(join(tmpdir(), 'voxnas-search-crash-'));
const ENTRY = ['--import', 'tsx', 'test/support/search-crash-entry.ts'];

/** Trials reported finished (trained/failed) in events.jsonl, skipping a line cut short by the kill. */
function finishedInEvents(runFolder: string): string[] {
  if (!existsSync(join(runFolder, 'events.jsonl'))) return [];
  return readFileSync(join(runFolder, 'events.jsonl'), 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        const event = JSON.parse(line) as { type: string; status?: string; archId?: string };
        return event.type === 'trial-finished' && event.status !== 'interrupted' ? [event.archId!] : [];
      } catch {
        return [];
      }
    });
}

it('a search killed with SIGKILL and run again completes, keeping every finished trial', async () => {
  const workspace = join(root, 'ws');
  const logFile = join(root, 'evaluations.log');
  const runFolder = join(workspace, 'runs', 'crash');
  const child = spawn(process.execPath, [...ENTRY, workspace, logFile], { stdio: 'ignore' });
  const exited = once(child, 'exit');
  const deadline = Date.now() + 20_000;
  while (finishedInEvents(runFolder).length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  child.kill('SIGKILL');
  await exited;
  const finishedBeforeKill = finishedInEvents(runFolder);
  expect(finishedBeforeKill.length).toBeGreaterThanOrEqual(3);
  expect(finishedBeforeKill.length).toBeLessThan(9);
  const metricsBefore = new Map(finishedBeforeKill.map((id) => [id, readFileSync(join(runFolder, 'candidates', id, 'metrics.json'), 'utf8')]));
  parseAllJson(runFolder);

  const rerun = spawn(process.execPath, [...ENTRY, workspace, logFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  rerun.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const [code] = await once(rerun, 'exit');
  expect(code).toBe(0);
  const result = JSON.parse(stdout) as { reason: string; trials: ReturnType<typeof comparable> };

  const reference = await runSearch({
    workspace: join(root, 'reference'),
    runId: 'crash',
    space: toySpace,
    strategy: randomSearch(),
    evaluator: createFakeEvaluator(),
    budgets: { candidates: 12, memoryBytes: TOY_MEMORY_BUDGET },
    training: TOY_TRAINING,
    seed: 7,
  });
  expect(result).toEqual({ reason: 'candidates', trials: comparable(reference) });
  const counts = evaluationCounts(logFile);
  for (const [id, metrics] of metricsBefore) {
    expect(counts.get(id)).toBe(1);
    expect(readFileSync(join(runFolder, 'candidates', id, 'metrics.json'), 'utf8')).toBe(metrics);
  }
  // Every JSON file parses, and after the repair every line of events.jsonl does too.
  expect(parseAllJson(runFolder)).toBeGreaterThan(24);
  const lines = readFileSync(join(runFolder, 'events.jsonl'), 'utf8').split('\n').filter(Boolean);
  for (const line of lines) JSON.parse(line);
});
