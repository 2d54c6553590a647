/**
 * Starts the job worker as an Electron utilityProcess (the desktop app). Messages go over a
 * MessageChannelMain: main keeps port1 and hands port2 to the worker with `{ type: 'connect' }`
 * (engine/runtime/worker-transport.ts takes it from there). Only main/index.ts uses this module;
 * the services get the factory and never see electron.
 */
import { MessageChannelMain, utilityProcess } from 'electron';
import { awaitReady, type WorkerHost, type WorkerHostFactory } from './worker-host.ts';

/** `entry`: the bundled worker, out/main/worker.js (next to main's own bundle). */
export function utilityProcessWorkerHost(entry: string, options: { env?: NodeJS.ProcessEnv } = {}): WorkerHostFactory {
  return {
    async start() {
      const child = utilityProcess.fork(entry, [], { serviceName: 'VoxNAS job worker', stdio: 'inherit', ...(options.env ? { env: options.env } : {}) });
      const { port1, port2 } = new MessageChannelMain();
      child.postMessage({ type: 'connect' }, [port2]);
      port1.start();
      let exited = false;
      child.once('exit', () => {
        exited = true;
        port1.close();
      });
      const host: WorkerHost = {
        send: (message) => {
          if (!exited) port1.postMessage(message);
        },
        onMessage: (listener) => port1.on('message', (event) => listener(event.data)),
        // Electron reports only the exit code; a crash shows as a non-zero code.
        onExit: (listener) => child.once('exit', (code) => listener(code, null)),
        kill: () => void child.kill(),
        get pid() {
          return child.pid;
        },
      };
      return awaitReady(host, `${entry}, Electron utilityProcess`);
    },
  };
}
