import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints one plain closing line, 'Tests: N passed, N failed, N skipped', that CI and people can read
 * without knowing Vitest's format. Skipped tests are listed with the reason they gave.
 */
export class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const skipped: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === 'passed') counts.passed += 1;
        else if (result.state === 'failed') counts.failed += 1;
        else if (result.state === 'skipped') {
          counts.skipped += 1;
          skipped.push(`  skipped: ${test.fullName}${result.note ? ` (${result.note})` : ''}`);
        }
      }
    }
    const lines = [...skipped, `Tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`];
    process.stdout.write(`\n${lines.join('\n')}\n`);
  }
}
