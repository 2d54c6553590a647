/**
 * Workspaces: create a folder with workspace.json, open an existing one (or an older workspace that
 * has only dataset.json), and the recent list in <stateDir>/recent.json (most recent first, at most
 * RECENT_LIMIT, written atomically). Every other service checks its `workspace` argument here first.
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { ContractError } from '../contract/errors.ts';
import type { WorkspaceInfo } from '../contract/index.ts';
import { isRecord, readJsonOrNull, writeJsonAtomic } from './json-files.ts';

export const WORKSPACE_FILE = 'workspace.json';
export const RECENT_FILE = 'recent.json';
export const RECENT_LIMIT = 10;

/** `<workspace>/workspace.json`. */
export interface WorkspaceJson {
  schemaVersion: 1;
  name: string;
  createdAt: string;
}

/** `<stateDir>/recent.json`. */
interface RecentJson {
  schemaVersion: 1;
  workspaces: { folder: string; openedAt: string }[];
}

export interface Workspaces {
  create(folder: string, name?: string): Promise<WorkspaceInfo>;
  open(folder: string): Promise<WorkspaceInfo>;
  recent(): Promise<WorkspaceInfo[]>;
  /** The workspace's absolute folder, or ContractError('not-found') saying what to do; does not touch the recent list. */
  check(folder: string, argument?: string): Promise<string>;
}

/** Resolves a request's path on this machine (the schema accepts Windows paths too; they must be absolute here). */
export function localPath(path: string, argument: string): string {
  if (!isAbsolute(path)) {
    throw new ContractError('bad-request', `'${argument}' must be an absolute path on this machine (${process.platform}), got '${path}'.`);
  }
  return resolve(path);
}

async function kindOf(path: string): Promise<'missing' | 'folder' | 'file'> {
  try {
    return (await stat(path)).isDirectory() ? 'folder' : 'file';
  } catch {
    return 'missing';
  }
}

function parseWorkspaceJson(document: unknown, path: string): WorkspaceJson {
  if (isRecord(document) && document['schemaVersion'] === 1 && typeof document['name'] === 'string' && typeof document['createdAt'] === 'string') {
    return { schemaVersion: 1, name: document['name'], createdAt: document['createdAt'] };
  }
  throw new ContractError('failed', `${path} is not a valid workspace file (expected { schemaVersion: 1, name, createdAt }). Fix it in a text editor, or remove it to open the folder as an older workspace.`);
}

/** What a workspace folder is, without the openedAt time; null when the folder is no workspace. */
async function describe(folder: string): Promise<Omit<WorkspaceInfo, 'openedAt'> | null> {
  const datasetPath = join(folder, 'dataset.json');
  const hasDataset = (await kindOf(datasetPath)) === 'file';
  const workspaceFile = join(folder, WORKSPACE_FILE);
  const document = await readJsonOrNull(workspaceFile, 'Fix it in a text editor, or remove it to open the folder as an older workspace.');
  if (document !== null) {
    const { name, createdAt } = parseWorkspaceJson(document, workspaceFile);
    return { folder, name, createdAt, hasDataset };
  }
  if (!hasDataset) return null;
  // An older workspace (made by `voxnas dataset import` before workspace.json existed).
  const dataset = await readJsonOrNull(datasetPath, 'Import the dataset again into this workspace.');
  const name = isRecord(dataset) && typeof dataset['name'] === 'string' && dataset['name'] !== '' ? dataset['name'] : basename(folder);
  const createdAt = isRecord(dataset) && typeof dataset['importedAt'] === 'string' ? dataset['importedAt'] : (await stat(datasetPath)).mtime.toISOString();
  return { folder, name, createdAt, hasDataset };
}

export function createWorkspaces(stateDir: string, now: () => Date = () => new Date()): Workspaces {
  const recentPath = join(stateDir, RECENT_FILE);
  // recent.json is read-modify-written: one update at a time.
  let updates: Promise<unknown> = Promise.resolve();

  async function readRecent(): Promise<RecentJson['workspaces']> {
    const document = await readJsonOrNull(recentPath, 'Remove it; the list of recent workspaces starts again.');
    if (!isRecord(document) || !Array.isArray(document['workspaces'])) return [];
    return document['workspaces'].filter((entry): entry is RecentJson['workspaces'][number] => isRecord(entry) && typeof entry['folder'] === 'string' && typeof entry['openedAt'] === 'string');
  }

  function remember(folder: string, openedAt: string): Promise<void> {
    const update = updates.then(async () => {
      const others = (await readRecent()).filter((entry) => entry.folder !== folder);
      const document: RecentJson = { schemaVersion: 1, workspaces: [{ folder, openedAt }, ...others].slice(0, RECENT_LIMIT) };
      await mkdir(stateDir, { recursive: true });
      await writeJsonAtomic(recentPath, document);
    });
    updates = update.catch(() => undefined);
    return update;
  }

  async function check(requested: string, argument = 'workspace'): Promise<string> {
    const folder = localPath(requested, argument);
    const kind = await kindOf(folder);
    if (kind !== 'folder') {
      throw new ContractError('not-found', `${folder} ${kind === 'missing' ? 'does not exist' : 'is a file, not a folder'}: it is not a VoxNAS workspace. Create a workspace there, or choose another folder.`);
    }
    if ((await describe(folder)) === null) {
      throw new ContractError('not-found', `${folder} is not a VoxNAS workspace: it has neither ${WORKSPACE_FILE} nor dataset.json. Create a workspace there (an empty folder), or choose another folder.`);
    }
    return folder;
  }

  return {
    check,

    async create(requested, name) {
      const folder = localPath(requested, 'folder');
      const kind = await kindOf(folder);
      if (kind === 'file') throw new ContractError('conflict', `${folder} is a file: choose a new or empty folder for the workspace.`);
      if (kind === 'folder') {
        const entries = await readdir(folder);
        if (entries.length > 0) {
          const hint = entries.includes(WORKSPACE_FILE) || entries.includes('dataset.json') ? 'It is already a workspace: open it instead.' : 'Choose a new or empty folder for the workspace.';
          throw new ContractError('conflict', `${folder} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, e.g. '${entries[0]}'). ${hint}`);
        }
      }
      await mkdir(folder, { recursive: true });
      const createdAt = now().toISOString();
      const document: WorkspaceJson = { schemaVersion: 1, name: name?.trim() ?? basename(folder), createdAt };
      await writeJsonAtomic(join(folder, WORKSPACE_FILE), document);
      await remember(folder, createdAt);
      return { folder, name: document.name, createdAt, openedAt: createdAt, hasDataset: false };
    },

    async open(requested) {
      const folder = await check(requested, 'folder');
      const described = (await describe(folder))!;
      const openedAt = now().toISOString();
      await remember(folder, openedAt);
      return { ...described, openedAt };
    },

    async recent() {
      const entries = await readRecent();
      // Workspaces deleted or moved since are left out of the answer (recent.json keeps them until pushed out).
      const described = await Promise.all(entries.map(async (entry) => ((await kindOf(entry.folder)) === 'folder' ? describe(entry.folder).catch(() => null) : null)));
      return entries.flatMap((entry, index) => {
        const info = described[index];
        return info ? [{ ...info, openedAt: entry.openedAt }] : [];
      });
    },
  };
}
