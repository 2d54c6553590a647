import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCheckedDataset } from '../data/dataset-check.ts';
import { planExperiment } from '../data/plan.ts';
import { preprocessDataset } from '../data/preprocess/preprocess-dataset.ts';
import { seconds, sharedDataDir, type Benchmark, type BenchmarkResult } from './benchmark.ts';

/** One fresh `voxnas plan` (import + check + fingerprint, plan, preprocess) with a given number of workers. */
async function planOnce(folder: string, workers: number): Promise<{ total: number; preprocess: number; folder: string; workspace: string; cases: number }> {
  const workspace = await mkdtemp(join(tmpdir(), 'voxnas-bench-plan-'));
  const started = performance.now();
  const outcome = await importCheckedDataset(folder, workspace, { force: true });
  const plans = planExperiment(outcome.check.fingerprint, outcome.dataset!, { device: 'cpu' });
  const preprocessStarted = performance.now();
  const summary = await preprocessDataset(workspace, outcome.dataset!, plans, { workers });
  return { total: seconds(started), preprocess: seconds(preprocessStarted), folder: summary.folder, workspace, cases: summary.cases };
}

/** The case headers' checksums, to compare two runs. */
async function checksums(folder: string): Promise<string> {
  const headers = (await readdir(folder)).filter((name) => name.endsWith('.json') && name !== 'preprocessing.json').sort();
  return (await Promise.all(headers.map(async (name) => (JSON.parse(await readFile(join(folder, name), 'utf8')) as { sha256: string }).sha256))).join();
}

export const planHippocampus: Benchmark = {
  description: 'voxnas plan on ../shared/data/hippocampus (182 cases): import + fingerprint + plan + preprocessing, with 1 and with 2 worker processes',
  async run(): Promise<BenchmarkResult> {
    const folder = sharedDataDir('hippocampus');
    if (folder === null) return { skipped: 'shared data not found (../shared/data/hippocampus or VOXNAS_SHARED_DATA)' };
    const one = await planOnce(folder, 1);
    const two = await planOnce(folder, 2);
    try {
      return {
        cases: two.cases,
        secondsOneWorker: one.total,
        secondsTwoWorkers: two.total,
        preprocessSecondsOneWorker: one.preprocess,
        preprocessSecondsTwoWorkers: two.preprocess,
        identicalOutput: (await checksums(one.folder)) === (await checksums(two.folder)),
      };
    } finally {
      await Promise.all([one, two].map((run) => rm(run.workspace, { recursive: true, force: true })));
    }
  },
};
