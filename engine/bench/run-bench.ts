import { pathToFileURL } from 'node:url';
import type { Benchmark, BenchmarkResult } from './benchmark.ts';
import { datasetCheckHippocampus } from './dataset-check-bench.ts';
import { dicomSeriesRead } from './dicom-series-bench.ts';
import { evaluateHippocampus, evaluateLarge } from './evaluate-bench.ts';
import { planHippocampus } from './plan-bench.ts';
import { referenceNetwork } from './reference-network-bench.ts';
import { searchStepTimes } from './search-step-bench.ts';

/** Every benchmark of `npm run bench`; add one entry per benchmark. */
export const BENCHMARKS = {
  'dataset-check-hippocampus': datasetCheckHippocampus,
  'dicom-series-read-512x512x300': dicomSeriesRead,
  'plan-hippocampus': planHippocampus,
  'evaluate-hippocampus': evaluateHippocampus,
  'evaluate-512x512x300': evaluateLarge,
  'reference-network': referenceNetwork,
  'search-step-times': searchStepTimes,
} satisfies Record<string, Benchmark>;

export type BenchmarkName = keyof typeof BENCHMARKS;

/**
 * Runs the named benchmarks (all when none is named) one after another and reports each
 * measurement as it comes (`onRow`), tagged with its benchmark's name; a failure is that entry's row.
 */
export async function runBenchmarks(names: readonly string[] = [], onRow: (row: BenchmarkResult) => void = () => undefined): Promise<BenchmarkResult[]> {
  const unknown = names.filter((name) => !Object.hasOwn(BENCHMARKS, name));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
  const selected = (names.length > 0 ? names : Object.keys(BENCHMARKS)) as BenchmarkName[];
  const rows: BenchmarkResult[] = [];
  for (const name of selected) {
    let results: BenchmarkResult[];
    try {
      const outcome = await BENCHMARKS[name].run();
      results = Array.isArray(outcome) ? outcome : [outcome];
    } catch (error) {
      results = [{ error: error instanceof Error ? error.message : String(error) }];
    }
    for (const result of results) {
      const row = { benchmark: name, ...result };
      rows.push(row);
      onRow(row);
    }
  }
  return rows;
}

/** `npm run bench [-- name ...]`: prints one JSON line per measurement. */
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runBenchmarks(process.argv.slice(2), (row) => process.stdout.write(`${JSON.stringify(row)}\n`)).catch((error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  });
}
