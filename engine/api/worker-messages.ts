/**
 * Messages between the main process (or the browser-mode server) and the job worker: plain JSON,
 * the same over an Electron MessagePort and over child_process IPC.
 * Later issues add job requests (import, plan, search, train, predict, export) and their events.
 */
export type WorkerRequest =
  /** Ask the worker to report itself; it answers `ready` with the same id. */
  | { type: 'hello'; id: string }
  /** Finish the current job's bookkeeping and exit. */
  | { type: 'shutdown' };

export type WorkerReply =
  | { type: 'ready'; id: string; pid: number; node: string; engineVersion: string; transport: WorkerTransportKind }
  /** A request the worker could not take; `message` says why and what to do. */
  | { type: 'error'; id: string | null; message: string };

/** How the worker was started: an Electron utilityProcess, or child_process.fork (browser mode, tests). */
export type WorkerTransportKind = 'electron-utility-process' | 'node-fork';
