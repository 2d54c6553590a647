import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCheckedDataset } from '../data/dataset-check.ts';
import { seconds, sharedDataDir, type Benchmark, type BenchmarkResult } from './benchmark.ts';

const TARGET_SECONDS = 20;

/** Import of the 182 shared hippocampus cases: layout, integrity check, fingerprint, both workspace files. */
export const datasetCheckHippocampus: Benchmark = {
  description: 'voxnas dataset import of ../shared/data/hippocampus (182 MSD cases): integrity check + fingerprint + dataset.json/fingerprint.json',
  async run(): Promise<BenchmarkResult> {
    const folder = sharedDataDir('hippocampus');
    if (folder === null) return { skipped: 'shared data not found (../shared/data/hippocampus or VOXNAS_SHARED_DATA)' };
    const workspace = await mkdtemp(join(tmpdir(), 'voxnas-bench-'));
    try {
      const started = performance.now();
      const outcome = await importCheckedDataset(folder, workspace, { force: true });
      const elapsed = seconds(started);
      return {
        seconds: elapsed,
        cases: outcome.check.report.caseCount,
        measuredCases: outcome.check.fingerprint.caseCount,
        errors: outcome.check.report.errors,
        warnings: outcome.check.report.warnings,
        targetSeconds: TARGET_SECONDS,
        withinTarget: elapsed < TARGET_SECONDS,
      };
    } finally {
      await rm(workspace, { recursive: true, force: true });
    }
  },
};
