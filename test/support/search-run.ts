/** Shared settings of the search tests and the crash-test entry (test/support/search-crash-entry.ts). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SearchOutcome } from '../../engine/search/run-search.ts';
import type { TrainingShape } from '../../engine/search/types.ts';

export const TOY_TRAINING: TrainingShape = { patch: [16, 16, 16], batch: 2, inputChannels: 1, classes: 3 };

/** Rejects the widest toy variants (about 49-60 MiB) and admits the others (at most about 13 MiB). */
export const TOY_MEMORY_BUDGET = 32 * 2 ** 20;

/** What must be equal between two runs with the same seed (timings and attempt counts may differ). */
export const comparable = (outcome: SearchOutcome) =>
  outcome.trials.map((trial) => ({ index: trial.index, archId: trial.archId, status: trial.status, meanDice: trial.metrics?.meanDice ?? null, reason: trial.reason }));

/** Parses every .json file under a folder (throws on a corrupt one) and returns how many there were. */
export function parseAllJson(folder: string): number {
  let count = 0;
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) count += parseAllJson(path);
    else if (name.endsWith('.json')) {
      JSON.parse(readFileSync(path, 'utf8'));
      count += 1;
    }
  }
  return count;
}

/** Lines of the fake evaluator's log: archId -> evaluations started. */
export function evaluationCounts(logFile: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of readFileSync(logFile, 'utf8').split('\n').filter(Boolean)) {
    const id = line.split(' ')[0]!;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}
