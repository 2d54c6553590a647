import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultWorkerEntry, forkWorkerHost } from '../../../main/jobs/fork-host.ts';

describe('fork worker host', () => {
  it('runs the bundled worker next to a bundled main, else the TypeScript worker of the source tree', () => {
    const bundle = mkdtempSync(join(tmpdir(), 'voxnas-bundle-'));
    writeFileSync(join(bundle, 'worker.js'), '');
    expect([defaultWorkerEntry(bundle), defaultWorkerEntry(resolve('main/jobs'))]).toEqual([join(bundle, 'worker.js'), resolve('engine/runtime/worker.ts')]);
  });

  it('starts a worker that answers hello, and says so when a worker dies while starting', async () => {
    const host = await forkWorkerHost({ entry: resolve('engine/runtime/worker.ts') }).start();
    const exited = new Promise<[number | null, string | null]>((done) => host.onExit((code, signal) => done([code, signal])));
    host.kill();
    expect({ pid: typeof host.pid, exit: await exited }).toEqual({ pid: 'number', exit: [null, 'SIGKILL'] });

    const broken = join(mkdtempSync(join(tmpdir(), 'voxnas-broken-worker-')), 'worker.js');
    writeFileSync(broken, 'process.exit(3);\n');
    await expect(forkWorkerHost({ entry: broken }).start()).rejects.toThrow(`The job worker (${broken}, child_process.fork) stopped while starting (exit code 3); see the log above, then retry the job.`);
  });
});
