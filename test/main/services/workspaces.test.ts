import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkspaceInfo } from '../../../main/contract/index.ts';
import { createServices, type Services } from '../../../main/services/index.ts';
import { createWorkspaces, RECENT_LIMIT } from '../../../main/services/workspaces.ts';
import { fakeJobService, temporaryFolder } from './service-fixtures.ts';

let root: string;
let cleanup: () => Promise<void>;
let services: Services;
const stateDir = () => join(root, 'state');

/** The rejection of a command as { code, message }. */
async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = (await promise.then(() => expect.unreachable('the command should have been refused'), (reason: unknown) => reason)) as { code: string; message: string };
  return { code: error.code, message: error.message };
}

beforeEach(async () => {
  ({ folder: root, cleanup } = await temporaryFolder());
  services = createServices({ stateDir: stateDir(), jobs: fakeJobService() });
});
afterEach(() => cleanup());

describe('workspace.create and workspace.open', () => {
  it('creates the folder with workspace.json, and opens it again with the same facts', async () => {
    const folder = join(root, 'projects', 'hippocampus');
    const created = (await services.handle('workspace.create', { folder, name: 'Hippocampus' })) as WorkspaceInfo;
    const written = JSON.parse(await readFile(join(folder, 'workspace.json'), 'utf8'));
    expect(written).toEqual({ schemaVersion: 1, name: 'Hippocampus', createdAt: created.createdAt });
    expect(created).toEqual({ folder, name: 'Hippocampus', createdAt: created.createdAt, openedAt: created.createdAt, hasDataset: false });
    const opened = (await services.handle('workspace.open', { folder: `${folder}/` })) as WorkspaceInfo;
    expect(opened).toEqual({ ...created, openedAt: opened.openedAt });
    expect(Date.parse(opened.openedAt)).toBeGreaterThanOrEqual(Date.parse(created.createdAt));
  });

  it('names a workspace after its folder by default, and accepts an existing empty folder', async () => {
    const folder = join(root, 'empty-one');
    await mkdir(folder);
    expect(((await services.handle('workspace.create', { folder })) as WorkspaceInfo).name).toBe('empty-one');
  });

  it('refuses to create in a non-empty folder or over a file, saying what to do', async () => {
    const used = join(root, 'used');
    await mkdir(used);
    await writeFile(join(used, 'notes.txt'), 'x');
    const existing = join(root, 'existing');
    await services.handle('workspace.create', { folder: existing });
    await writeFile(join(root, 'file'), 'x');
    expect([
      await refusal(services.handle('workspace.create', { folder: used })),
      await refusal(services.handle('workspace.create', { folder: existing })),
      await refusal(services.handle('workspace.create', { folder: join(root, 'file') })),
    ]).toEqual([
      { code: 'conflict', message: `${used} is not empty (1 entry, e.g. 'notes.txt'). Choose a new or empty folder for the workspace.` },
      { code: 'conflict', message: `${existing} is not empty (1 entry, e.g. 'workspace.json'). It is already a workspace: open it instead.` },
      { code: 'conflict', message: `${join(root, 'file')} is a file: choose a new or empty folder for the workspace.` },
    ]);
  });

  it('opening a folder that is no workspace says so and what to do', async () => {
    const plain = join(root, 'plain');
    await mkdir(plain);
    expect([await refusal(services.handle('workspace.open', { folder: plain })), await refusal(services.handle('workspace.open', { folder: join(root, 'missing') }))]).toEqual([
      { code: 'not-found', message: `${plain} is not a VoxNAS workspace: it has neither workspace.json nor dataset.json. Create a workspace there (an empty folder), or choose another folder.` },
      { code: 'not-found', message: `${join(root, 'missing')} does not exist: it is not a VoxNAS workspace. Create a workspace there, or choose another folder.` },
    ]);
  });

  it('opens an older workspace that has only dataset.json (named after its dataset)', async () => {
    const older = join(root, 'older');
    await mkdir(older);
    await writeFile(join(older, 'dataset.json'), JSON.stringify({ name: 'Prostate', importedAt: '2026-01-02T03:04:05.000Z' }));
    const opened = (await services.handle('workspace.open', { folder: older })) as WorkspaceInfo;
    expect(opened).toEqual({ folder: older, name: 'Prostate', createdAt: '2026-01-02T03:04:05.000Z', openedAt: opened.openedAt, hasDataset: true });
  });

  it('a broken workspace.json is reported with the file and what to do', async () => {
    const broken = join(root, 'broken');
    await mkdir(broken);
    await writeFile(join(broken, 'workspace.json'), '{"schemaVersion": 1,');
    const { code, message } = await refusal(services.handle('workspace.open', { folder: broken }));
    expect(code).toBe('failed');
    expect(message).toMatch(new RegExp(`^${join(broken, 'workspace.json')} is not valid JSON \\(.+\\)\\. Fix it in a text editor, or remove it to open the folder as an older workspace\\.$`));
  });
});

describe('workspace.recent', () => {
  it('lists the most recent first, once each, at most ten, kept in recent.json across restarts; deleted workspaces are left out', async () => {
    const folders = Array.from({ length: RECENT_LIMIT + 2 }, (_, index) => join(root, `ws-${index}`));
    for (const folder of folders) await services.handle('workspace.create', { folder });
    await services.handle('workspace.open', { folder: folders[5] });
    await rm(folders[11]!, { recursive: true });
    const expected = [folders[5], folders[10], folders[9], folders[8], folders[7], folders[6], folders[4], folders[3], folders[2]];
    expect(((await services.handle('workspace.recent', {})) as WorkspaceInfo[]).map((info) => info.folder)).toEqual(expected);
    const saved = JSON.parse(await readFile(join(stateDir(), 'recent.json'), 'utf8'));
    expect([saved.schemaVersion, saved.workspaces.length]).toEqual([1, RECENT_LIMIT]);
    // A new process reads the same list.
    expect((await createWorkspaces(stateDir()).recent()).map((info) => info.folder)).toEqual(expected);
  });

  it('stays valid JSON when many opens race', async () => {
    const folders = Array.from({ length: 6 }, (_, index) => join(root, `race-${index}`));
    for (const folder of folders) await services.handle('workspace.create', { folder });
    await Promise.all(folders.flatMap((folder) => [services.handle('workspace.open', { folder }), services.handle('workspace.open', { folder })]));
    const listed = ((await services.handle('workspace.recent', {})) as WorkspaceInfo[]).map((info) => info.folder);
    expect([...listed].sort()).toEqual([...folders].sort());
  });

  it('starts empty without recent.json', async () => {
    expect(await services.handle('workspace.recent', {})).toEqual([]);
  });
});
