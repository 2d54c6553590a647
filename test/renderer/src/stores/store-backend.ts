/**
 * The renderer stores' backend in Node tests: the real services (createServices, a real workspace
 * on disk) as the VoxnasApi the page gets, with the services' tests' fake job service, so that a
 * test decides how each job ends.
 */
import { join } from 'node:path';
import { vi } from 'vitest';
import type { JobEvent, JobInfo, JobStatus, VoxnasApi, WorkspaceInfo } from '../../../../main/contract/index.ts';
import { createServices } from '../../../../main/services/index.ts';
import { fakeJobService, importSample, temporaryFolder } from '../../../main/services/service-fixtures.ts';

/**
 * The Review, Models and Datasets stores of a page, on `api`, with the workspace open. `reload`
 * gives them fresh modules (no job followed yet), as a reloaded page has.
 */
export async function pageStores(api: VoxnasApi, workspace: string, reload = false) {
  if (reload) vi.resetModules();
  const [{ createPinia, setActivePinia }, { provideApi }, review, models, datasets] = await Promise.all([
    import('pinia'),
    import('../../../../renderer/src/stores/api.ts'),
    import('../../../../renderer/src/stores/review.ts'),
    import('../../../../renderer/src/stores/models.ts'),
    import('../../../../renderer/src/stores/datasets.ts'),
  ]);
  setActivePinia(createPinia());
  provideApi(() => api);
  datasets.useDatasetsStore().workspace = { folder: workspace, name: 'ws', createdAt: '', openedAt: '', hasDataset: true } satisfies WorkspaceInfo;
  return { review: review.useReviewStore(), models: models.useModelsStore() };
}

export async function storeBackend() {
  const { folder: root, cleanup } = await temporaryFolder('voxnas-stores-');
  const jobs = fakeJobService();
  // The contract lists jobs newest first (as the real job service does); the fake keeps them in start order.
  const listInStartOrder = jobs.list.bind(jobs);
  jobs.list = async (workspace) => (await listInStartOrder(workspace)).reverse();
  const services = createServices({ stateDir: join(root, 'state'), jobs });
  const workspace = join(root, 'ws');
  await services.handle('workspace.create', { folder: workspace });
  await importSample(workspace);
  const api: VoxnasApi = {
    invoke: (name, request) => services.handle(name, request) as never,
    subscribe: (event, listener) => services.subscribe((_name, payload) => (listener as (payload: JobEvent) => void)(payload)),
  };
  let seq = 100;
  return {
    root,
    workspace,
    api,
    jobs,
    cleanup,
    /** Ends a job as the worker would: its record updated, then its status event streamed. */
    async finish(job: JobInfo, status: JobStatus, outcome: { result?: Record<string, unknown>; error?: string } = {}) {
      const recorded = (await listInStartOrder(workspace)).find((entry) => entry.id === job.id)!;
      Object.assign(recorded, { status, result: outcome.result ?? null, error: outcome.error ?? null });
      jobs.emit({ jobId: job.id, seq: (seq += 1), time: new Date().toISOString(), type: 'status', status });
    },
  };
}
