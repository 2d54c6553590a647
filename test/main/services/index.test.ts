import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VOXNAS_VERSION } from '../../../engine/index.ts';
import { ContractError } from '../../../main/contract/errors.ts';
import type { JobEvent, JobInfo } from '../../../main/contract/index.ts';
import { createServices, NO_FOLDER_DIALOG, type Services } from '../../../main/services/index.ts';
import { fakeJobService, temporaryFolder, type FakeJobService } from './service-fixtures.ts';

let root: string;
let cleanup: () => Promise<void>;
let jobs: FakeJobService;
let services: Services;
let workspace: string;

async function refusal(name: string, request: unknown): Promise<[string, string]> {
  const error = await services.handle(name, request).then(() => expect.unreachable(`${name} should have been refused`), (reason: unknown) => reason);
  expect(error).toBeInstanceOf(ContractError);
  return [(error as ContractError).code, (error as ContractError).message];
}

beforeAll(async () => {
  ({ folder: root, cleanup } = await temporaryFolder());
  jobs = fakeJobService();
  services = createServices({ stateDir: join(root, 'state'), jobs });
  workspace = join(root, 'ws');
  await services.handle('workspace.create', { folder: workspace });
});
afterAll(() => cleanup());

describe('createServices: the dispatcher both transports call', () => {
  it('refuses unknown commands and bad requests before any service runs', async () => {
    expect([
      await refusal('workspace.delete', {}),
      await refusal('jobs.start', { workspace: 'ws', kind: 'train' }),
      await refusal('jobs.events', { jobId: 'job-1', since: '3' }),
    ]).toEqual([
      ['bad-request', expect.stringMatching(/^Unknown command 'workspace\.delete': use one of app\.info, workspace\.create, .*dialog\.chooseFolder, .*review\.metrics, .*\.$/)],
      ['bad-request', "jobs.start: 'workspace' must be an absolute path (such as /home/me/scans or C:\\scans), got 'ws'. jobs.start: 'params' is missing: it must be a JSON object of parameters (use {} for none)."],
      ['bad-request', "jobs.events: 'since' must be a non-negative whole number (the last seq you have), got '3'."],
    ]);
    expect(jobs.started).toEqual([]);
  });

  it('passes job commands to the job service with the checked workspace folder', async () => {
    const started = (await services.handle('jobs.start', { workspace: `${workspace}/./`, kind: 'plan', params: { device: 'cpu' } })) as JobInfo;
    expect(jobs.started).toEqual([{ workspace, kind: 'plan', params: { device: 'cpu' } }]);
    expect(await services.handle('jobs.list', { workspace })).toEqual([started]);
    expect((await services.handle('jobs.cancel', { jobId: started.id })) as JobInfo).toMatchObject({ id: started.id, status: 'cancelled' });
    expect(await services.handle('jobs.events', { jobId: started.id, since: 1 })).toEqual([]);
    expect(await refusal('jobs.start', { workspace: root, kind: 'train', params: {} })).toEqual([
      'not-found',
      `${root} is not a VoxNAS workspace: it has neither workspace.json nor dataset.json. Create a workspace there (an empty folder), or choose another folder.`,
    ]);
  });

  it("keeps the job service's error codes", async () => {
    expect(await refusal('jobs.resume', { jobId: 'job-404' })).toEqual(['not-found', "There is no job 'job-404'."]);
  });

  it('forwards job events to subscribers until they unsubscribe', () => {
    const received: [string, JobEvent][] = [];
    const unsubscribe = services.subscribe((event, payload) => received.push([event, payload]));
    const event: JobEvent = { jobId: 'job-1', seq: 2, time: '2026-11-26T00:00:00.000Z', type: 'progress', fraction: 0.5, message: 'Half way', etaSeconds: 10 };
    jobs.emit(event);
    unsubscribe();
    jobs.emit({ ...event, seq: 3 });
    expect(received).toEqual([['job.event', event]]);
  });

  it('app.info says how the app runs', async () => {
    const electron = createServices({ stateDir: join(root, 'state'), jobs, mode: 'electron' });
    expect([await services.handle('app.info', {}), await electron.handle('app.info', undefined)]).toEqual([
      { name: 'VoxNAS', version: VOXNAS_VERSION, mode: 'browser', platform: process.platform },
      { name: 'VoxNAS', version: VOXNAS_VERSION, mode: 'electron', platform: process.platform },
    ]);
  });

  it('dialog.chooseFolder: the native dialog where there is one, else null and why', async () => {
    const titles: (string | undefined)[] = [];
    const electron = createServices({ stateDir: join(root, 'state'), jobs, chooseFolder: async (title) => (titles.push(title), '/home/me/scans') });
    expect([await services.handle('dialog.chooseFolder', {}), await electron.handle('dialog.chooseFolder', { title: 'Dataset folder' })]).toEqual([
      { path: null, reason: NO_FOLDER_DIALOG },
      { path: '/home/me/scans' },
    ]);
    expect(titles).toEqual(['Dataset folder']);
  });

  it('unexpected failures become failed errors that name the command', async () => {
    const broken = createServices({ stateDir: join(root, 'state'), jobs: { ...jobs, list: async () => Promise.reject(new Error('jobs folder is unreadable')) } });
    expect(await broken.handle('jobs.list', { workspace }).catch((error: ContractError) => [error.code, error.message])).toEqual(['failed', 'jobs.list failed: jobs folder is unreadable']);
  });
});
