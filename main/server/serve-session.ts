/**
 * Browser mode assembled: part of `npm run serve` that tests can call too. The job service with a
 * child_process.fork worker, the services on top of it (the same as in the Electron app), and the
 * browser-mode server in front.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { forkWorkerHost } from '../jobs/fork-host.ts';
import { createJobService } from '../jobs/job-service.ts';
import { createServices } from '../services/index.ts';
import { createWorkspaces } from '../services/workspaces.ts';
import { UsageError, type ServeOptions } from './cli-options.ts';
import { startServer, type RunningServer } from './serve.ts';

/** out/renderer of the source tree (main/server -> out/renderer). */
const DEFAULT_RENDERER_DIR = join(import.meta.dirname, '..', '..', 'out', 'renderer');

export interface ServeSession {
  server: RunningServer;
  /** Stops the server, then the job worker. */
  close(): Promise<void>;
}

/** Starts the services, the worker and the server; throws with what to do when it cannot. */
export async function openServeSession(options: Omit<ServeOptions, 'help'>, rendererDir = DEFAULT_RENDERER_DIR): Promise<ServeSession> {
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new UsageError(`The built renderer is missing (${join(rendererDir, 'index.html')}): run \`npm run build\` first, then \`npm run serve\` again.`);
  }
  const workspaces = createWorkspaces(options.stateDir);
  const jobs = createJobService({
    host: forkWorkerHost(),
    // As in the desktop app: jobs asked for by id after a restart are found in the recent workspaces.
    knownWorkspaces: async () => (await workspaces.recent()).map((workspace) => workspace.folder),
  });
  const services = createServices({ stateDir: options.stateDir, jobs, mode: 'browser' });
  let server: RunningServer;
  try {
    server = await startServer({ rendererDir, services, ...(options.port !== undefined && { port: options.port }), ...(options.workspaceRoot && { workspaceRoot: options.workspaceRoot }) });
  } catch (error) {
    await jobs.close();
    throw error;
  }
  return {
    server,
    async close() {
      await server.close();
      await jobs.close();
    },
  };
}

