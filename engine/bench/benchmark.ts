import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** What one benchmark reports: plain JSON values (seconds, counts, targets). */
export type BenchmarkResult = Record<string, number | string | boolean | null>;

export interface Benchmark {
  description: string;
  /** One result, or one row per measurement. */
  run(): Promise<BenchmarkResult | BenchmarkResult[]>;
}

/**
 * The shared test data (`../shared/data` next to the repository, as on CI); VOXNAS_SHARED_DATA wins.
 * Null when absent, so a benchmark can report itself skipped instead of failing.
 */
export function sharedDataDir(sub: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const root = env['VOXNAS_SHARED_DATA'] ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'data');
  const path = join(root, sub);
  return existsSync(path) ? path : null;
}

export const seconds = (started: number): number => Math.round((performance.now() - started) / 10) / 100;
