/**
 * The bundled job worker (out/main/worker.js, what the packaged app runs as a utilityProcess),
 * started here with child_process.fork like browser mode does with a bundled main: real jobs on
 * resources/sample go through it, including the helper processes it starts itself (preprocessing
 * workers for the plan, the batch worker for training), which must be found as built .js files next
 * to the bundle's chunks, with resources/ found from there.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../main/contract/index.ts';
import { forkWorkerHost } from '../main/jobs/fork-host.ts';
import { createJobService } from '../main/jobs/job-service.ts';

const entry = resolve('out/main/worker.js');
const workspace = mkdtempSync(join(tmpdir(), 'voxnas-built-worker-'));
const service = createJobService({ host: forkWorkerHost({ entry }), knownWorkspaces: async () => [workspace] });
afterAll(async () => service.close());

async function finish(job: JobInfo): Promise<JobInfo> {
  for (const started = Date.now(); Date.now() - started < 240_000; ) {
    const info = await service.get(job.id);
    if (['succeeded', 'failed', 'cancelled', 'interrupted'].includes(info.status)) return info;
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`job ${job.id} did not finish`);
}

describe('the bundled worker (out/main/worker.js)', () => {
  it('is built with its helper entries next to it', () => {
    for (const name of ['worker', 'batch-worker', 'preprocess-worker', 'search-worker']) expect(existsSync(join('out/main', `${name}.js`)), name).toBe(true);
  });

  it('imports, plans (preprocessing workers) and trains (batch worker) the embedded sample', async () => {
    const imported = await finish(await service.start(workspace, 'import', { source: resolve('resources/sample') }));
    expect(imported, imported.error ?? '').toMatchObject({ status: 'succeeded' });
    const planned = await finish(await service.start(workspace, 'plan', {}));
    expect(planned, planned.error ?? '').toMatchObject({ status: 'succeeded' });
    expect(existsSync(join(workspace, 'plans.json'))).toBe(true);
    const trained = await finish(await service.start(workspace, 'train', { budget: '2steps', validateEvery: 2 }));
    expect(trained, trained.error ?? '').toMatchObject({ status: 'succeeded' });
    expect(trained.result).toMatchObject({ steps: 2 });
  }, 300_000);
});
