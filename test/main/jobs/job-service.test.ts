/**
 * The job service with the real worker (child_process.fork of engine/runtime/worker.ts, as in
 * browser mode) and the real engine jobs on resources/sample: import and plan through the queue,
 * a training job whose worker is killed with SIGKILL mid-run and then resumed, prediction and
 * export with the trained model, cancellation, and a restarted service that reads the jobs back
 * from the workspace.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVolume } from '../../../engine/io/read-volume.ts';
import type { JobEvent, JobInfo } from '../../../main/contract/index.ts';
import { forkWorkerHost } from '../../../main/jobs/fork-host.ts';
import { processIdentity } from '../../../main/jobs/job-files.ts';
import { createJobService, type JobService } from '../../../main/jobs/job-service.ts';
import type { WorkerHost, WorkerHostFactory } from '../../../main/jobs/worker-host.ts';
import { REFERENCE_GENOME } from '../../support/test-genomes.ts';

/** Small enough to train in seconds; the plan's patch is a multiple of its divisor 4. */
const TINY = { ...REFERENCE_GENOME, widths: [4, 8, 8], deepSupervision: 1 };
const root = mkdtempSync(join(tmpdir(), 'voxnas-job-service-'));
const workspace = join(root, 'ws');
mkdirSync(workspace);

/** The fork host of browser mode, on the TypeScript worker, remembering every worker it started. */
function recordingHost(): WorkerHostFactory & { hosts: WorkerHost[] } {
  const inner = forkWorkerHost({ entry: resolve('engine/runtime/worker.ts') });
  const hosts: WorkerHost[] = [];
  return {
    hosts,
    async start() {
      const host = await inner.start();
      hosts.push(host);
      return host;
    },
  };
}

let factory = recordingHost();
let service: JobService = createJobService({ host: factory, knownWorkspaces: async () => [workspace] });
const events: JobEvent[] = [];
service.subscribe((event) => events.push(event));
afterAll(async () => service.close());

/** Waits until the job's info satisfies `done` (polling; the service also streams events). */
async function until(jobId: string, done: (info: JobInfo) => boolean, timeoutMs = 150_000): Promise<JobInfo> {
  const started = Date.now();
  for (;;) {
    const info = await service.get(jobId);
    if (done(info)) return info;
    if (Date.now() - started > timeoutMs) throw new Error(`job ${jobId} is still ${info.status} (${info.progress.message}) after ${timeoutMs / 1000} s`);
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
  }
}

const finished = (info: JobInfo) => ['succeeded', 'failed', 'cancelled', 'interrupted'].includes(info.status);
const statusesOf = (list: JobEvent[]) => list.filter((event) => event.type === 'status').map((event) => event.status);
const seqsOf = (list: JobEvent[]) => list.map((event) => event.seq);
const oneTo = (count: number) => Array.from({ length: count }, (_unused, index) => index + 1);

describe('job service with the real worker', () => {
  let importJob: JobInfo;
  let planJob: JobInfo;
  let modelId = '';

  beforeAll(async () => {
    // Started back to back: the plan waits in the queue until the import is done.
    importJob = await service.start(workspace, 'import', { source: resolve('resources/sample') });
    planJob = await service.start(workspace, 'plan', { workers: 0 });
    await until(planJob.id, finished);
  }, 150_000);

  it('runs import then plan in order, persists each job and its numbered events, and streams the same events', async () => {
    const [imported, planned] = [await service.get(importJob.id), await service.get(planJob.id)];
    const [importEvents, planEvents] = [await service.events(importJob.id), await service.events(planJob.id)];
    const onDisk = JSON.parse(readFileSync(join(workspace, 'jobs', planJob.id, 'job.json'), 'utf8'));
    expect({
      returned: [importJob.status, planJob.status],
      statuses: [imported.status, planned.status],
      importResult: imported.result,
      planResult: { dataId: typeof planned.result?.['dataId'], computed: (planned.result?.['preprocessing'] as { computed: number }).computed },
      progress: planned.progress.fraction,
      importStatuses: statusesOf(importEvents),
      seqs: [seqsOf(importEvents), seqsOf(planEvents)].map((seqs) => seqs.join(',') === oneTo(seqs.length).join(',')),
      planStartedAfterImport: planEvents.find((event) => event.status === 'running')!.time >= importEvents.find((event) => event.status === 'succeeded')!.time,
      streamed: events.filter((event) => event.jobId === planJob.id).map((event) => event.seq),
      since: seqsOf(await service.events(planJob.id, planEvents.length - 2)),
      onDisk: { ...onDisk, updatedAt: typeof onDisk.updatedAt },
    }).toEqual({
      returned: ['queued', 'queued'],
      statuses: ['succeeded', 'succeeded'],
      importResult: expect.objectContaining({ dataset: 'Hippocampus', cases: 10, errors: 0 }),
      planResult: { dataId: 'string', computed: 10 },
      progress: 1,
      importStatuses: ['queued', 'running', 'succeeded'],
      seqs: [true, true],
      planStartedAfterImport: true,
      streamed: seqsOf(planEvents),
      since: [planEvents.length - 1, planEvents.length],
      onDisk: { schemaVersion: 1, ...planned, updatedAt: 'string' },
    });
  });

  it('marks a training job whose worker was killed with SIGKILL as interrupted, and resumes it to the end of its budget', async () => {
    const params = { genome: TINY, fold: 0, budget: '20steps', validateEvery: 5, seed: 3 };
    const job = await service.start(workspace, 'train', params);
    await until(job.id, () => events.some((event) => event.jobId === job.id && event.type === 'engine' && (event.data as { type: string }).type === 'step'));
    const worker = factory.hosts.at(-1)!;
    process.kill(worker.pid!, 'SIGKILL');
    const interrupted = await until(job.id, finished);
    expect({ status: interrupted.status, error: interrupted.error }).toEqual({
      status: 'interrupted',
      error: 'The job worker stopped (signal SIGKILL) while this job ran. Resume the job to continue from what it saved.',
    });
    expect((await service.resume(job.id)).status).toBe('queued');
    const resumed = await until(job.id, finished);
    const jobEvents = await service.events(job.id);
    const engine = jobEvents.filter((event) => event.type === 'engine').map((event) => event.data as { type: string; step: number });
    expect({
      status: resumed.status,
      error: resumed.error,
      steps: resumed.result?.['steps'],
      params: resumed.params,
      resumedAt: engine.filter((event) => event.type === 'resumed').map((event) => event.step),
      lastStep: engine.filter((event) => event.type === 'step').at(-1)?.step,
      statuses: statusesOf(jobEvents),
      seqs: seqsOf(jobEvents).join(',') === oneTo(jobEvents.length).join(','),
      workers: factory.hosts.length,
    }).toEqual({
      status: 'succeeded',
      error: null,
      steps: 20,
      params,
      resumedAt: [expect.any(Number)],
      lastStep: 20,
      statuses: ['queued', 'running', 'interrupted', 'queued', 'running', 'succeeded'],
      seqs: true,
      workers: 2,
    });
    expect(engine.find((event) => event.type === 'resumed')!.step).toBeGreaterThan(0);
    modelId = resumed.result!['modelId'] as string;
  }, 240_000);

  it('predicts dataset cases with the trained model and exports it to ONNX with a parity check', async () => {
    const destination = join(root, 'exported', 'model.onnx');
    const predict = await service.start(workspace, 'predict', { modelId, caseIds: ['hippocampus_004', 'hippocampus_008'] });
    const exported = await service.start(workspace, 'export', { modelId, destination });
    const [predicted, done] = [await until(predict.id, finished), await until(exported.id, finished)];
    const masks = (predicted.result?.['predictions'] as { caseId: string; path: string }[]).map(({ caseId, path }) => [caseId, path.replace(workspace, '<ws>')]);
    const mask = await readVolume(join(workspace, 'predictions', modelId, 'hippocampus_004.nii.gz'));
    const source = await readVolume(resolve('resources/sample/imagesTr/hippocampus_004.nii.gz'));
    expect({
      statuses: [predicted.status, done.status],
      masks,
      geometry: mask.volume.dims.join() === source.volume.dims.join(),
      parity: (done.result?.['parity'] as { passed: boolean }).passed,
      written: (done.result?.['written'] as string[]).map((path) => path.replace(workspace, '<ws>').replace(root, '<root>')),
      sameFile: readFileSync(destination).equals(readFileSync(join(workspace, 'models', modelId, 'model.onnx'))),
    }).toEqual({
      statuses: ['succeeded', 'succeeded'],
      masks: [
        ['hippocampus_004', `<ws>/predictions/${modelId}/hippocampus_004.nii.gz`],
        ['hippocampus_008', `<ws>/predictions/${modelId}/hippocampus_008.nii.gz`],
      ],
      geometry: true,
      parity: true,
      written: [`<ws>/models/${modelId}/model.onnx`, '<root>/exported/model.onnx'],
      sameFile: true,
    });
  }, 120_000);

  it('runs a (tiny) architecture search job to a model folder', async () => {
    const job = await service.start(workspace, 'search', { strategy: 'random', budget: '1h', seed: 2, maxCandidates: 1, candidateSteps: 2, finalSteps: 2 });
    const done = await until(job.id, finished);
    const engine = (await service.events(job.id)).filter((event) => event.type === 'engine').map((event) => event.data as { source: string; event: { type: string } });
    expect({
      status: done.status,
      error: done.error,
      model: done.result?.['model'] === join(workspace, 'models', done.result?.['modelId'] as string),
      phases: engine.filter((event) => event.source === 'job').map((event) => (event.event as { phase?: string }).phase),
    }).toEqual({ status: 'succeeded', error: null, model: true, phases: ['search', 'final-training', 'done'] });
  }, 180_000);

  it('cancels a queued job at once and a running one when the worker confirms; only stopped jobs resume', async () => {
    const running = await service.start(workspace, 'train', { genome: TINY, budget: '10000steps', seed: 5 });
    const queued = await service.start(workspace, 'plan', { workers: 0 });
    const cancelledQueued = await service.cancel(queued.id);
    await until(running.id, (info) => info.status === 'running');
    const cancelledRunning = await service.cancel(running.id);
    const refusals = await Promise.all([service.cancel(running.id), service.resume(importJob.id), service.get('no-such-job')].map((promise) => promise.then(() => null, (error: Error & { code?: string }) => [error.code, error.message])));
    expect({
      queued: [cancelledQueued.status, statusesOf(await service.events(queued.id))],
      running: [cancelledRunning.status, statusesOf(await service.events(running.id))],
      workerAlive: factory.hosts.length,
      refusals,
    }).toEqual({
      queued: ['cancelled', ['queued', 'cancelled']],
      running: ['cancelled', ['queued', 'running', 'cancelled']],
      workerAlive: 2,
      refusals: [
        ['conflict', `Job ${running.id} has already been cancelled; there is nothing to cancel.`],
        ['conflict', `Job ${importJob.id} is succeeded; only interrupted, cancelled or failed jobs can be resumed.`],
        ['not-found', "There is no job 'no-such-job' in the open workspaces. List the workspace's jobs (jobs.list) to see their ids."],
      ],
    });
  }, 120_000);

  it('after a restart lists the same jobs from the workspace, and a job left running by a dead session as interrupted', async () => {
    await service.close();
    const before = await createJobService({ host: recordingHost() }).list(workspace);
    const orphan = { ...before.find((job) => job.id === planJob.id)!, id: 'plan-orphan', status: 'running', createdAt: '2000-01-01T00:00:00.000Z' };
    mkdirSync(join(workspace, 'jobs', orphan.id));
    writeFileSync(join(workspace, 'jobs', orphan.id, 'job.json'), JSON.stringify({ schemaVersion: 1, ...orphan }));
    writeFileSync(join(workspace, 'jobs', orphan.id, 'events.jsonl'), `${JSON.stringify({ jobId: orphan.id, seq: 1, time: orphan.createdAt, type: 'status', status: 'running' })}\n{"cut short by a cra`);
    factory = recordingHost();
    service = createJobService({ host: factory, knownWorkspaces: async () => [workspace] });
    const listed = await service.list(workspace);
    const found = listed.find((job) => job.id === orphan.id)!;
    expect({
      count: listed.length,
      newestFirst: listed.map((job) => job.createdAt).join() === listed.map((job) => job.createdAt).sort().reverse().join(),
      same: listed.filter((job) => job.id !== orphan.id).map((job) => [job.id, job.status]),
      orphan: [found.status, found.error],
      orphanEvents: (await service.events(orphan.id)).map((event) => [event.seq, event.status]),
      viaKnownWorkspaces: (await createJobService({ host: recordingHost(), knownWorkspaces: async () => [workspace] }).get(importJob.id)).status,
    }).toEqual({
      count: before.length + 1,
      newestFirst: true,
      same: before.map((job) => [job.id, job.status]),
      orphan: ['interrupted', 'VoxNAS stopped while this job was running. Resume it to continue from what it saved.'],
      orphanEvents: [
        [1, 'running'],
        [2, 'interrupted'],
      ],
      viaKnownWorkspaces: 'succeeded',
    });
  });

  /** A plan job left 'running' by another VoxNAS process, as its files say: job.json, one status event and owner.json (pid and identity given). */
  async function writeRunningJobOf(owner: { pid: number; process: string | null }, id: string, createdAt: string) {
    const template = (await service.list(workspace)).find((job) => job.id === planJob.id)!;
    const job = { ...template, id, status: 'running', createdAt };
    const folder = join(workspace, 'jobs', id);
    mkdirSync(folder);
    writeFileSync(join(folder, 'job.json'), JSON.stringify({ schemaVersion: 1, ...job }));
    writeFileSync(join(folder, 'events.jsonl'), `${JSON.stringify({ jobId: id, seq: 1, time: createdAt, type: 'status', status: 'running' })}\n`);
    writeFileSync(join(folder, 'owner.json'), JSON.stringify({ ...owner, hostname: hostname(), since: createdAt }));
    return { job, folder };
  }

  it('shows a job that another live VoxNAS process runs as it is, refuses to cancel or resume it here, and takes it as interrupted once that process is gone', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    const pid = other.pid!;
    const { job: elsewhere, folder } = await writeRunningJobOf({ pid, process: await processIdentity(pid) }, 'plan-elsewhere', '2000-01-02T00:00:00.000Z');
    const refusal = async (promise: Promise<unknown>) => promise.then(() => 'accepted', (error: Error) => error.message);
    const whileAlive = {
      status: (await service.get(elsewhere.id)).status,
      listed: (await service.list(workspace)).find((job) => job.id === elsewhere.id)!.status,
      events: (await service.events(elsewhere.id)).length,
      cancel: await refusal(service.cancel(elsewhere.id)),
      resume: await refusal(service.resume(elsewhere.id)),
      ownersOfFinishedJobs: [importJob.id, planJob.id].filter((id) => existsSync(join(workspace, 'jobs', id, 'owner.json'))),
    };
    const exited = new Promise((resolvePromise) => other.once('exit', resolvePromise));
    other.kill('SIGKILL');
    await exited;
    // list() waits for the job's file writes (the status, and owner.json removed).
    const afterExit = (await service.list(workspace)).find((job) => job.id === elsewhere.id)!;
    const message = `Job plan-elsewhere is running in another VoxNAS process (pid ${pid} on ${hostname()}, since ${elsewhere.createdAt}); cancel or follow it in that window. If that process is gone, delete ${join(folder, 'owner.json')} and try again.`;
    expect({ whileAlive, afterExit: afterExit.status, ownerFileAfterExit: existsSync(join(folder, 'owner.json')) }).toEqual({
      whileAlive: { status: 'running', listed: 'running', events: 1, cancel: message, resume: message, ownersOfFinishedJobs: [] },
      afterExit: 'interrupted',
      ownerFileAfterExit: false,
    });
  });

  it('does not take a live process that got the dead owner\'s pid for the owner: the job is interrupted', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      const pid = other.pid!;
      const identity = await processIdentity(pid);
      // The identity comes from /proc: Linux (CI, and this machine) has it.
      expect(identity, `no /proc identity on ${process.platform}`).toMatch(/^[0-9a-f-]+:\d+$/);
      // The owner that wrote owner.json started at another time (or before a reboot) than the process now holding its pid.
      const [boot, start] = identity!.split(':');
      const { job: reused, folder } = await writeRunningJobOf({ pid, process: `${boot}:${Number(start) - 1}` }, 'plan-reused-pid', '2000-01-03T00:00:00.000Z');
      // list() waits for the job's file writes (the status, and owner.json removed).
      const job = (await service.list(workspace)).find((listed) => listed.id === reused.id)!;
      expect({ status: job.status, ownerFile: existsSync(join(folder, 'owner.json')), identityOfThisProcess: (await processIdentity(process.pid))?.startsWith(`${boot}:`) }).toEqual({
        status: 'interrupted',
        ownerFile: false,
        identityOfThisProcess: true,
      });
    } finally {
      other.kill('SIGKILL');
    }
  });
});
