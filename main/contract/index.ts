/**
 * The one typed contract between the renderer and the services. The Electron preload exposes it as
 * `window.voxnas`; browser mode implements the same interface over HTTP and WebSocket.
 * Pure types and constants: preload and renderer import this file, so it imports nothing at runtime.
 * Requests are validated in main by main/contract/schemas.ts; errors travel as { code, message }
 * (main/contract/errors.ts).
 */
import type { WireError } from './errors.ts';
import { REVIEW_COMMAND_NAMES, type ReviewCommands } from './review.ts';
import { SEARCH_COMMAND_NAMES, type SearchCommands } from './search.ts';

/** What the renderer may ask, and what it gets back. Paths are absolute paths on the services' machine. */
export interface Commands extends ReviewCommands, SearchCommands {
  /** Name, version and how the app runs; the shell's footer shows it. */
  'app.info': { request: Record<string, never>; response: AppInfo };
  /** Creates `folder` (missing or empty) as a new workspace; `name` defaults to the folder's name. */
  'workspace.create': { request: { folder: string; name?: string }; response: WorkspaceInfo };
  /** Opens an existing workspace and puts it first in the recent list. */
  'workspace.open': { request: { folder: string }; response: WorkspaceInfo };
  /** Recently opened or created workspaces, most recent first. */
  'workspace.recent': { request: Record<string, never>; response: WorkspaceInfo[] };
  /** Starts an 'import' job reading `source` (an MSD, nnU-Net or image/label folder-pair layout). */
  'dataset.import': { request: { workspace: string; source: string }; response: JobInfo };
  /** What the workspace holds about its dataset; null before an import. */
  'dataset.get': { request: { workspace: string }; response: DatasetSummary | null };
  /** Starts a job in the worker (one heavy job at a time, the rest queued). */
  'jobs.start': { request: { workspace: string; kind: StartableJobKind; params: Record<string, unknown> }; response: JobInfo };
  'jobs.cancel': { request: { jobId: string }; response: JobInfo };
  /** Resumes an interrupted, failed or cancelled job from what it left on disk. */
  'jobs.resume': { request: { jobId: string }; response: JobInfo };
  /** The workspace's jobs, newest first. */
  'jobs.list': { request: { workspace: string }; response: JobInfo[] };
  /** The job's events with seq > since (all of them without `since`), from its events.jsonl. */
  'jobs.events': { request: { jobId: string; since?: number }; response: JobEvent[] };
  /** Trained models under <workspace>/models/. */
  'models.list': { request: { workspace: string }; response: ModelSummary[] };
  /** Starts an 'export' job writing the model's ONNX file (to `destination`, an absolute .onnx path, when given). */
  'models.export': { request: { workspace: string; modelId: string; destination?: string }; response: JobInfo };
  /** One case's image, labels or a model's prediction, as binary voxels. */
  'volumes.get': { request: { workspace: string; caseId: string; kind: VolumeKind; modelId?: string }; response: VolumePayload };
  /** A native folder dialog in Electron; in browser mode `path` is null and `reason` says why (type the path instead). */
  'dialog.chooseFolder': { request: { title?: string }; response: { path: string | null; reason?: string } };
}

export interface AppInfo {
  name: string;
  version: string;
  /** 'electron' in the desktop app, 'browser' against the browser-mode server. */
  mode: 'electron' | 'browser';
  platform: string;
}

export interface WorkspaceInfo {
  /** Absolute path of the workspace folder. */
  folder: string;
  name: string;
  /** ISO time the workspace was created (for older workspaces without workspace.json: when dataset.json was written). */
  createdAt: string;
  /** ISO time it was last opened or created through the services. */
  openedAt: string;
  /** Whether dataset.json exists (an import finished). */
  hasDataset: boolean;
}

export const JOB_KINDS = ['import', 'plan', 'train', 'search', 'predict', 'export', 'evaluate'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
/** Kinds `jobs.start` accepts; imports start through `dataset.import`. */
export const STARTABLE_JOB_KINDS = ['plan', 'train', 'search', 'predict', 'export'] as const satisfies readonly JobKind[];
export type StartableJobKind = (typeof STARTABLE_JOB_KINDS)[number];

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface JobProgress {
  /** 0..1, or null while unknown. */
  fraction: number | null;
  message: string;
  etaSeconds: number | null;
}

/** A job as persisted in <workspace>/jobs/<id>/job.json. Times are ISO strings. */
export interface JobInfo {
  id: string;
  kind: JobKind;
  /** Absolute path of the workspace the job works in. */
  workspace: string;
  params: Record<string, unknown>;
  status: JobStatus;
  createdAt: string;
  updatedAt: string;
  progress: JobProgress;
  /** Why it failed or was interrupted, as a sentence; null otherwise. */
  error: string | null;
  /** What the job produced (e.g. { modelId, onnxPath }); null until it succeeds. */
  result: Record<string, unknown> | null;
}

export type JobEventType = 'status' | 'progress' | 'log' | 'engine';

/** One line of <workspace>/jobs/<id>/events.jsonl; seq starts at 1 and grows by 1 per job. */
export interface JobEvent {
  jobId: string;
  seq: number;
  time: string;
  type: JobEventType;
  /** For 'status' events. */
  status?: JobStatus;
  /** For 'progress' events. */
  fraction?: number | null;
  message?: string;
  etaSeconds?: number | null;
  /** For 'engine' events: the engine's own event object (training step/validation, search trial events). */
  data?: unknown;
}

/** What `dataset.get` reports, read from the workspace's files; sections are null when their file is absent. */
export interface DatasetSummary {
  workspace: string;
  name: string;
  /** The layout it was imported from ('msd', 'nnunet', 'folder-pair'...). */
  layout: string;
  source: string;
  importedAt: string | null;
  channels: string[];
  /** Label value -> name, background included. */
  labels: Record<string, string>;
  cases: DatasetCaseSummary[];
  integrity: { ok: boolean; errors: number; warnings: number; problems: IntegrityProblemSummary[] } | null;
  fingerprint: { medianSpacing: number[] | null; medianShape: number[] | null; caseCount: number } | null;
  plans: { targetSpacing: number[] | null; patchSize: number[] | null; batchSize: number | null } | null;
}

export interface DatasetCaseSummary {
  caseId: string;
  hasLabel: boolean;
  /** (i, j, k) voxel counts and spacing (mm) as in fingerprint.json; null when the case was not measured. */
  shape: number[] | null;
  spacing: number[] | null;
}

export interface IntegrityProblemSummary {
  severity: 'error' | 'warning';
  caseId: string | null;
  message: string;
}

export interface ModelSummary {
  modelId: string;
  /** Absolute path of models/<modelId>/. */
  folder: string;
  /** metrics.json as written by training/evaluation, or null. */
  metrics: Record<string, unknown> | null;
  genome: { levels: number | null; widths: number[] | null; parameters: number | null } | null;
  hasOnnx: boolean;
  createdAt: string | null;
}

export const VOLUME_KINDS = ['image', 'label', 'prediction'] as const;
export type VolumeKind = (typeof VOLUME_KINDS)[number];
export type VolumeDataType = 'float32' | 'uint8' | 'int16' | 'uint16' | 'int32';

/**
 * A volume's voxels as binary (structured clone over Electron IPC; a binary body over HTTP).
 * Geometry as the engine's Volume: dims, spacing and origin in the same axis order, direction 9 numbers
 * (LPS, column-major).
 */
export interface VolumePayload {
  caseId: string;
  kind: VolumeKind;
  dims: [number, number, number];
  spacing: [number, number, number];
  origin: [number, number, number];
  direction: number[];
  dtype: VolumeDataType;
  data: ArrayBuffer;
}

export type CommandName = keyof Commands;
export type CommandRequest<K extends CommandName> = Commands[K]['request'];
export type CommandResponse<K extends CommandName> = Commands[K]['response'];

/** Every command name, for allow-lists in the preload and in main. */
export const COMMAND_NAMES = [
  'app.info',
  'workspace.create',
  'workspace.open',
  'workspace.recent',
  'dataset.import',
  'dataset.get',
  'jobs.start',
  'jobs.cancel',
  'jobs.resume',
  'jobs.list',
  'jobs.events',
  'models.list',
  'models.export',
  'volumes.get',
  'dialog.chooseFolder',
  ...REVIEW_COMMAND_NAMES,
  ...SEARCH_COMMAND_NAMES,
] as const satisfies readonly CommandName[];

/** Streams to the renderer. */
export interface Events {
  /** Every job event the services record (both transports). */
  'job.event': JobEvent;
  /** Electron only: the user opened a workspace from the application menu (File > Open Workspace...); the renderer shows it. */
  'workspace.opened': WorkspaceInfo;
}
export type EventName = keyof Events;
export const EVENT_NAMES = ['job.event', 'workspace.opened'] as const satisfies readonly EventName[];

/** Electron IPC channel of a command. */
export function commandChannel(name: CommandName): string {
  return `voxnas:command:${name}`;
}

/** Electron IPC channel of an event stream. */
export function eventChannel(name: EventName): string {
  return `voxnas:event:${name}`;
}

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && (COMMAND_NAMES as readonly string[]).includes(name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (EVENT_NAMES as readonly string[]).includes(name);
}

/** The object the renderer sees as `window.voxnas` (Electron preload) or builds over HTTP (browser mode). */
export interface VoxnasApi {
  /** Rejects with an Error carrying `code` (see ContractErrorCode) when the services refuse or fail. */
  invoke<K extends CommandName>(name: K, request: CommandRequest<K>): Promise<CommandResponse<K>>;
  /** Returns the function that unsubscribes. */
  subscribe<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}

/**
 * What main's ipcMain.handle returns for every command: the value, or the wire error. An envelope
 * rather than a throw, because Electron rewrites the message of an error thrown in a handler.
 */
export type IpcReply<T = unknown> = { ok: true; value: T } | { ok: false; error: WireError };

/** The global the preload defines. */
export const API_GLOBAL = 'voxnas';
