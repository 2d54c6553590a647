import type { WorkerReply, WorkerTransportKind } from '../api/worker-messages.ts';

/** One message channel to the process that started this worker. */
export interface WorkerTransport {
  kind: WorkerTransportKind;
  send(reply: WorkerReply): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** Electron's utilityProcess gives the child `process.parentPort`; it is not in Node's types. */
interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

/**
 * Finds the channel this process was started with, without importing electron: Electron's
 * utilityProcess puts a parentPort on `process`, child_process.fork gives `process.send`.
 * Returns null when the process was started some other way (e.g. by hand from a shell).
 */
export function connectToParent(proc: NodeJS.Process = process): WorkerTransport | null {
  const parentPort = (proc as NodeJS.Process & { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      kind: 'electron-utility-process',
      send: (reply) => parentPort.postMessage(reply),
      onMessage: (listener) => parentPort.on('message', (event) => listener(event.data)),
    };
  }
  const send = proc.send?.bind(proc);
  if (send) {
    return {
      kind: 'node-fork',
      send: (reply) => void send(reply),
      onMessage: (listener) => proc.on('message', listener),
    };
  }
  return null;
}
