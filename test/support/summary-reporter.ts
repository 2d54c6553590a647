import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints one plain closing line, 'Tests: N passed, N failed, N skipped', that CI and people can read
 * without knowing Vitest's format. Skipped tests are listed with the reason they gave. An error
 * outside a test (a file that does not load, a beforeAll or afterAll hook that throws) counts as one
 * failure and is listed: Vitest marks the tests of such a suite skipped, not failed.
 */
export class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const listed: string[] = [];
    for (const module of testModules) {
      for (const [name, errors] of [[relative(process.cwd(), module.moduleId), module.errors()], ...[...module.children.allSuites()].map((suite) => [suite.fullName, suite.errors()] as const)] as const) {
        if (errors.length === 0) continue;
        counts.failed += 1;
        listed.push(`  failed outside a test: ${name}: ${errors[0]!.message.split('\n')[0]}`);
      }
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === 'passed') counts.passed += 1;
        else if (result.state === 'failed') counts.failed += 1;
        else if (result.state === 'skipped') {
          counts.skipped += 1;
          listed.push(`  skipped: ${test.fullName}${result.note ? ` (${result.note})` : ''}`);
        }
      }
    }
    const lines = [...listed, `Tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`];
    process.stdout.write(`\n${lines.join('\n')}\n`);
  }
}
