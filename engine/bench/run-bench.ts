import { pathToFileURL } from 'node:url';
import type { Benchmark, BenchmarkResult } from './benchmark.ts';
import { datasetCheckHippocampus } from './dataset-check-bench.ts';
import { dicomSeriesRead } from './dicom-series-bench.ts';
import { planHippocampus } from './plan-bench.ts';
import { evaluateHippocampus, evaluateLarge } from './evaluate-bench.ts';

/** Every benchmark of `npm run bench`; add one entry per benchmark. */
export const BENCHMARKS = {
  'dataset-check-hippocampus': datasetCheckHippocampus,
  'dicom-series-read-512x512x300': dicomSeriesRead,
  'plan-hippocampus': planHippocampus,
  'evaluate-hippocampus': evaluateHippocampus,
  'evaluate-512x512x300': evaluateLarge,
} satisfies Record<string, Benchmark>;

export type BenchmarkName = keyof typeof BENCHMARKS;

/** Runs the named benchmarks (all when none is named) one after another; a failure is that entry's result. */
export async function runBenchmarks(names: readonly string[] = []): Promise<Record<string, BenchmarkResult>> {
  const unknown = names.filter((name) => !Object.hasOwn(BENCHMARKS, name));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
  const selected = (names.length > 0 ? names : Object.keys(BENCHMARKS)) as BenchmarkName[];
  const results: Record<string, BenchmarkResult> = {};
  for (const name of selected) {
    try {
      results[name] = await BENCHMARKS[name].run();
    } catch (error) {
      results[name] = { error: error instanceof Error ? error.message : String(error) };
    }
  }
  return results;
}

/** `npm run bench [-- name ...]`: prints one JSON object with an entry per benchmark. */
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runBenchmarks(process.argv.slice(2)).then(
    (results) => process.stdout.write(`${JSON.stringify(results, null, 2)}\n`),
    (error: unknown) => {
      process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
