import { join } from 'node:path';
import { createPinia, setActivePinia } from 'pinia';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDatasetFile } from '../../../../engine/index.ts';
import { planWorkspace } from '../../../../engine/jobs/plan-job.ts';
import type { FingerprintJson } from '../../../../engine/api/fingerprint.ts';
import type { CommandName, JobEvent, VoxnasApi } from '../../../../main/contract/index.ts';
import { createServices, type Services } from '../../../../main/services/index.ts';
import { provideApi } from '../../../../renderer/src/stores/api.ts';
import { useDatasetsStore } from '../../../../renderer/src/stores/datasets.ts';
import { useMonitorStore } from '../../../../renderer/src/stores/monitor.ts';
import { useNavigationStore } from '../../../../renderer/src/stores/navigation.ts';
import { useSearchStore } from '../../../../renderer/src/stores/search.ts';
import { fakeJobService, importSample, temporaryFolder, type FakeJobService } from '../../../main/services/service-fixtures.ts';
import { readFile } from 'node:fs/promises';

/**
 * The Datasets, Search and Monitor stores against the real services (workspaces, dataset files,
 * cost model) through the same VoxnasApi the page gets; only the job service is a recording fake,
 * whose events the test writes (the real one runs a worker: e2e/workflow-datasets-search.e2e.ts).
 */
let root: string;
let cleanup: () => Promise<void>;
let services: Services;
let jobs: FakeJobService;
let workspace: string;
const events = new Map<string, JobEvent[]>();

beforeAll(async () => {
  ({ folder: root, cleanup } = await temporaryFolder('voxnas-workflow-stores-'));
  jobs = fakeJobService();
  jobs.events = async (jobId, since = 0) => (events.get(jobId) ?? []).filter((event) => event.seq > since);
  services = createServices({ stateDir: join(root, 'state'), jobs });
  const api: VoxnasApi = {
    invoke: (name, request) => services.handle(name as CommandName, request) as never,
    subscribe: (_event, listener) => services.subscribe((_name, payload) => listener(payload as never)),
  };
  // App.vue hands the stores the page's transport; here they get the services themselves.
  provideApi(() => api);
  workspace = join(root, 'hippocampus');
  await services.handle('workspace.create', { folder: workspace });
  await importSample(workspace);
  setActivePinia(createPinia());
});
afterAll(() => cleanup());

/** Records an event of a fake job and streams it, as the job service does. */
function emit(jobId: string, event: Omit<JobEvent, 'jobId' | 'seq' | 'time'>): void {
  const list = events.get(jobId) ?? [];
  const recorded = { jobId, seq: list.length + 1, time: new Date(Date.UTC(2026, 0, 1, 0, 0, list.length)).toISOString(), ...event } as JobEvent;
  list.push(recorded);
  events.set(jobId, list);
  jobs.emit(recorded);
}

describe('the workflow stores on the real services', () => {
  it('reopens the most recent workspace after a reload, with the report, fingerprint and findings', async () => {
    const datasets = useDatasetsStore();
    await datasets.restore();
    const fingerprint = JSON.parse(await readFile(join(workspace, 'fingerprint.json'), 'utf8')) as FingerprintJson;
    expect({ folder: datasets.workspace?.folder, cases: datasets.summary?.cases.length, fingerprint: datasets.details?.fingerprint, plan: datasets.details?.plan, error: datasets.error }).toEqual({
      folder: workspace,
      cases: 10,
      fingerprint,
      plan: null,
      error: null,
    });
  });

  it('starts the plan job with the settings typed, and refuses a bad memory budget before starting anything', async () => {
    const datasets = useDatasetsStore();
    datasets.planMemoryGb = 'lots';
    await datasets.plan();
    expect([jobs.started.length, datasets.error]).toEqual([0, "The memory budget must be a number of GB above 0 (or empty for the planner's default), not 'lots'."]);
    datasets.planMemoryGb = '4';
    await datasets.plan();
    expect(jobs.started).toEqual([{ workspace, kind: 'plan', params: { device: 'cpu', budgetGb: 4 } }]);
    expect(datasets.planning).toBe(true);

    // The job runs (here: the test plans the workspace as the worker would) and ends; the store shows the plan.
    const dataset = await readDatasetFile(workspace);
    const fingerprint = JSON.parse(await readFile(join(workspace, 'fingerprint.json'), 'utf8')) as FingerprintJson;
    await planWorkspace(workspace, dataset, fingerprint, { device: 'cpu', budgetGb: 4, workers: 0 });
    const jobId = datasets.job!.id;
    emit(jobId, { type: 'status', status: 'running' });
    emit(jobId, { type: 'progress', fraction: 0.5, message: 'Preprocessed hippocampus_004 (1 of 2)', etaSeconds: null });
    const list = await jobs.list(workspace);
    list.find((job) => job.id === jobId)!.status = 'succeeded';
    emit(jobId, { type: 'status', status: 'succeeded' });
    await expect.poll(() => datasets.hasPlan).toBe(true);
    expect({ running: datasets.running, patch: datasets.details?.plan?.patchSize, error: datasets.error }).toEqual({ running: false, patch: [40, 56, 40], error: null });
  });

  it('estimates the chosen search and starts one job per fold, then shows the first in the Monitor', async () => {
    const search = useSearchStore();
    await search.loadMethods();
    expect(search.methods.map((method) => [method.id, method.implemented])).toEqual([
      ['enas', true],
      ['darts', true],
      ['gumbel', true],
      ['c2fnas', true],
      ['random', true],
      ['baseline', true],
    ]);
    search.form = { method: 'enas', hours: '0', minutes: '30', memoryGb: '6', fold: '0', advanced: '{"maxControllerSteps": 2}' };
    await search.refreshEstimate();
    expect({ state: search.estimateState, method: search.estimate?.method, budget: search.estimate?.budgetSeconds, memory: search.estimate?.memoryBudgetBytes, fits: search.estimate?.fitsMemory }).toEqual({ state: 'ready', method: 'enas', budget: 1800, memory: 6 * 1024 ** 3, fits: true });

    search.form.minutes = '90';
    expect(await search.start()).toEqual([]);
    expect(search.check.ok).toBe(false);

    const before = jobs.started.length;
    search.form = { method: 'baseline', hours: '1', minutes: '0', memoryGb: '', fold: 'all', advanced: '' };
    const started = await search.start();
    expect(jobs.started.slice(before)).toEqual([0, 1, 2, 3, 4].map((fold) => ({ workspace, kind: 'train', params: { genome: 'baseline', fold, budget: '3600s' } })));
    expect({ section: useNavigationStore().current, shown: useMonitorStore().selectedId, error: search.startError }).toEqual({ section: 'monitor', shown: started[0]!.id, error: null });
  });

  it('rebuilds the Monitor from a job\'s events, follows live events, and asks candidates\' costs once', async () => {
    const monitor = useMonitorStore();
    const search = useSearchStore();
    search.form = { method: 'enas', hours: '0', minutes: '10', memoryGb: '', fold: '1', advanced: '' };
    const [job] = await search.start();
    const jobId = job!.id;
    expect(jobs.started.at(-1)).toEqual({ workspace, kind: 'search', params: { strategy: 'enas', budget: '600s', fold: 1 } });
    emit(jobId, { type: 'status', status: 'running' });
    emit(jobId, { type: 'engine', data: { source: 'enas', event: { type: 'controller-step', record: { step: 1, meanReward: 0.2, baseline: 0.1, entropy: 30 }, time: '2026-01-01T00:00:02.000Z' } } });
    await expect.poll(() => monitor.monitor.controller.length).toBe(1);

    // A fresh store (a reloaded page) selects the job still running and shows the same from its recorded events.
    for (const other of await jobs.list(workspace)) if (other.id !== jobId) other.status = 'cancelled';
    setActivePinia(createPinia());
    const reloaded = useMonitorStore();
    await useDatasetsStore().restore();
    await reloaded.load();
    expect({ selected: reloaded.selectedId, status: reloaded.monitor.status, controller: reloaded.monitor.controller }).toEqual({ selected: jobId, status: 'running', controller: monitor.monitor.controller });

    // A candidate without a genome file: its cost is a not-found error, kept until more events come.
    emit(jobId, { type: 'engine', data: { source: 'enas', event: { type: 'child-evaluated', archId: 'feedface', meanDice: 0.3, perClass: [0.2, 0.4], time: '2026-01-01T00:00:03.000Z' } } });
    await expect.poll(() => Object.keys(reloaded.monitor.candidates)).toEqual(['feedface']);
    await reloaded.loadCost('feedface');
    expect(reloaded.costs['feedface']).toMatchObject({ state: 'error', message: expect.stringMatching(/^No search run of .* has a candidate feedface/) });
    await reloaded.cancel();
    expect(reloaded.error).toBe(null);
  });
});
