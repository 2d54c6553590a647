import { defineConfig } from 'vitest/config';
import { SummaryReporter } from './test/support/summary-reporter.ts';

/**
 * Two projects, one run: `unit` (test/, mirrors the source tree, no build needed) and `e2e`
 * (e2e/, needs `npm run build` first: `npm test` does both). Tests run one file at a time per
 * core at most: training uses both cores, the test runner should not fight it.
 */
export default defineConfig({
  test: {
    reporters: ['default', new SummaryReporter()],
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
