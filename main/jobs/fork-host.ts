/**
 * Starts the job worker with child_process.fork: browser mode (`npm run serve`) and the tests. The
 * same worker code as the Electron app's utilityProcess; messages go over Node's IPC channel.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { typescriptExecArgv } from '../../engine/index.ts';
import { awaitReady, type WorkerHost, type WorkerHostFactory } from './worker-host.ts';

/**
 * The worker entry: the bundled worker next to this module when main is bundled (out/main/);
 * from the source tree (`npm run serve`, tests) the TypeScript worker, run through tsx, so that it
 * is never a stale build and its own child processes (batch and preprocessing workers) start from
 * their source files too; the built out/main/worker.js when the source is not there.
 */
export function defaultWorkerEntry(here = import.meta.dirname): string {
  const candidates = [join(here, 'worker.js'), join(here, '..', '..', 'engine', 'runtime', 'worker.ts'), join(here, '..', '..', 'out', 'main', 'worker.js')];
  return candidates.find((path) => existsSync(path)) ?? candidates[1]!;
}

export function forkWorkerHost(options: { entry?: string; env?: NodeJS.ProcessEnv } = {}): WorkerHostFactory {
  const entry = options.entry ?? defaultWorkerEntry();
  return {
    async start() {
      const child = fork(entry, [], {
        execArgv: typescriptExecArgv(entry),
        env: options.env ?? process.env,
        // The worker's own messages (tfjs notices, crashes) go to this process's stderr.
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      // A worker that died between messages must not take this process down with an EPIPE.
      child.on('error', () => undefined);
      const host: WorkerHost = {
        send: (message) => {
          if (child.connected) child.send(message);
        },
        onMessage: (listener) => child.on('message', (message) => listener(message as never)),
        onExit: (listener) => child.once('exit', (code, signal) => listener(code, signal)),
        kill: () => void child.kill('SIGKILL'),
        get pid() {
          return child.pid;
        },
      };
      return awaitReady(host, `${entry}, child_process.fork`);
    },
  };
}
