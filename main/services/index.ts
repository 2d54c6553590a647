/**
 * The services behind the contract, shared by the Electron main process (ipcMain.handle) and the
 * browser-mode server (HTTP + WebSocket): `handle` validates a command's name and request and runs
 * it; `subscribe` streams job events. Plain Node, no electron: what needs Electron (the native folder
 * dialog) is passed in.
 */
import { ContractError, toWireError } from '../contract/errors.ts';
import { COMMAND_NAMES, isCommandName, type AppInfo, type CommandName, type CommandRequest, type CommandResponse, type JobEvent } from '../contract/index.ts';
import { parseRequest } from '../contract/schemas.ts';
import { getAppInfo } from './app-info.ts';
import { createDatasets } from './datasets.ts';
import type { JobService } from './job-port.ts';
import { createModels } from './models.ts';
import { createReviewHandlers } from './review.ts';
import { createSearchHandlers } from './search.ts';
import { createVolumes } from './volumes.ts';
import { createWorkspaces } from './workspaces.ts';

export type { JobService } from './job-port.ts';

export interface ServicesOptions {
  /** Folder for the services' own state (recent.json); the Electron app passes app.getPath('userData'). */
  stateDir: string;
  jobs: JobService;
  /** The native folder dialog (Electron); absent in browser mode, where the UI asks for a typed path. */
  chooseFolder?: (title?: string) => Promise<string | null>;
  /** The native save dialog (Electron); absent in browser mode, where the UI asks for a typed path. */
  chooseSaveFile?: (title?: string, defaultName?: string) => Promise<string | null>;
  /** What app.info reports; 'browser' unless the Electron main process says otherwise. */
  mode?: AppInfo['mode'];
}

export interface Services {
  /** Runs a command; rejects with ContractError (bad-request for a bad name or request). */
  handle(name: string, rawRequest: unknown): Promise<unknown>;
  subscribe(listener: (event: 'job.event', payload: JobEvent) => void): () => void;
}

/** Why browser mode cannot show a folder dialog, and what the UI offers instead. */
export const NO_FOLDER_DIALOG = 'A browser cannot browse the folders of the machine that runs VoxNAS: type the absolute path of the folder instead.';

type Handlers = { [K in CommandName]: (request: CommandRequest<K>) => Promise<CommandResponse<K>> };

export function createServices(options: ServicesOptions): Services {
  const { jobs } = options;
  const workspaces = createWorkspaces(options.stateDir);
  const datasets = createDatasets(workspaces, jobs);
  const models = createModels(workspaces, jobs);
  const volumes = createVolumes(workspaces);

  const handlers: Handlers = {
    'app.info': async () => getAppInfo(options.mode ?? 'browser'),
    'workspace.create': (request) => workspaces.create(request.folder, request.name),
    'workspace.open': (request) => workspaces.open(request.folder),
    'workspace.recent': () => workspaces.recent(),
    'dataset.import': (request) => datasets.import(request.workspace, request.source),
    'dataset.get': (request) => datasets.get(request.workspace),
    'jobs.start': async (request) => jobs.start(await workspaces.check(request.workspace), request.kind, request.params),
    'jobs.cancel': (request) => jobs.cancel(request.jobId),
    'jobs.resume': (request) => jobs.resume(request.jobId),
    'jobs.list': async (request) => jobs.list(await workspaces.check(request.workspace)),
    'jobs.events': (request) => jobs.events(request.jobId, request.since),
    'models.list': (request) => models.list(request.workspace),
    'models.export': (request) => models.export(request.workspace, request.modelId, request.destination),
    'volumes.get': (request) => volumes.get(request.workspace, request.caseId, request.kind, request.modelId),
    'dialog.chooseFolder': async (request) => {
      if (!options.chooseFolder) return { path: null, reason: NO_FOLDER_DIALOG };
      return { path: await options.chooseFolder(request.title) };
    },
    ...createReviewHandlers({ workspaces, jobs, models, chooseSaveFile: options.chooseSaveFile }),
    ...createSearchHandlers(workspaces),
  };

  return {
    async handle(name, rawRequest) {
      if (!isCommandName(name)) {
        throw new ContractError('bad-request', `Unknown command '${String(name)}': use one of ${COMMAND_NAMES.join(', ')}.`);
      }
      const request = parseRequest(name, rawRequest);
      try {
        return await (handlers[name] as (request: unknown) => Promise<unknown>)(request);
      } catch (error) {
        if (error instanceof ContractError) throw error;
        // Engine and file-system errors already say which file and what to do: keep their words (and a contract code, if they carry one).
        const wire = toWireError(error);
        throw new ContractError(wire.code, wire.code === 'failed' ? `${name} failed: ${wire.message}` : wire.message);
      }
    },

    subscribe(listener) {
      return jobs.subscribe((event) => listener('job.event', event));
    },
  };
}
