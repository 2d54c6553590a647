/**
 * The worker's side of its channel to the process that started it, without importing electron.
 * Electron's utilityProcess: main sends `{ type: 'connect' }` on `process.parentPort` with one
 * MessagePort attached (main/jobs/utility-process-host.ts); from then on every message goes over
 * that port. child_process.fork (browser mode, tests): Node's IPC (`process.send`).
 */
import type { WorkerReply, WorkerTransportKind } from '../api/worker-messages.ts';

/** One message channel to the process that started this worker. */
export interface WorkerTransport {
  kind: WorkerTransportKind;
  send(reply: WorkerReply): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** The parts of Electron's MessagePortMain the worker uses (not in Node's types). */
interface PortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  start(): void;
}

/** Electron's utilityProcess gives the child `process.parentPort`; it is not in Node's types. */
interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown; ports?: PortLike[] }) => void): void;
}

const isConnect = (data: unknown): boolean => typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'connect';

/**
 * A utilityProcess channel: messages arrive on the parent port until main hands over a
 * MessagePort with `connect`; replies go to that port once it exists. Messages that arrive before
 * a listener is set are kept, so nothing sent right after start-up is lost.
 */
function utilityProcessTransport(parentPort: ParentPort): WorkerTransport {
  let port: PortLike | null = null;
  let listener: ((message: unknown) => void) | null = null;
  const early: unknown[] = [];
  const deliver = (data: unknown) => (listener ? listener(data) : early.push(data));
  parentPort.on('message', (event) => {
    const handed = event.ports?.[0];
    if (isConnect(event.data) && handed) {
      port = handed;
      handed.on('message', (portEvent) => deliver(portEvent.data));
      handed.start();
      return;
    }
    deliver(event.data);
  });
  return {
    kind: 'electron-utility-process',
    send: (reply) => (port ?? parentPort).postMessage(reply),
    onMessage: (next) => {
      listener = next;
      for (const message of early.splice(0)) next(message);
    },
  };
}

/**
 * Finds the channel this process was started with. Returns null when the process was started some
 * other way (e.g. by hand from a shell).
 */
export function connectToParent(proc: NodeJS.Process = process): WorkerTransport | null {
  const parentPort = (proc as NodeJS.Process & { parentPort?: ParentPort }).parentPort;
  if (parentPort) return utilityProcessTransport(parentPort);
  const send = proc.send?.bind(proc);
  if (send) {
    return {
      kind: 'node-fork',
      // A parent that is gone cannot be told anything; the 'disconnect' handler in worker.ts exits.
      send: (reply) => void (proc.connected ? send(reply) : undefined),
      onMessage: (listener) => proc.on('message', listener),
    };
  }
  return null;
}
