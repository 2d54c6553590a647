/**
 * The worker's side of the Electron utilityProcess channel, with stand-ins for process.parentPort
 * and a MessagePortMain (no Electron binary here): the port handed over with `connect` carries
 * every message after it, and messages that arrive before a listener is set are not lost.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { connectToParent } from '../../../engine/runtime/worker-transport.ts';

class FakePort extends EventEmitter {
  posted: unknown[] = [];
  started = false;
  postMessage(message: unknown) {
    this.posted.push(message);
  }
  start() {
    this.started = true;
  }
}

describe('worker transport', () => {
  it('under utilityProcess, switches to the MessagePort that main hands over with connect', () => {
    const parentPort = new FakePort();
    const port = new FakePort();
    const transport = connectToParent({ parentPort } as unknown as NodeJS.Process)!;
    parentPort.emit('message', { data: { type: 'hello', id: 'early' } });
    const received: unknown[] = [];
    transport.onMessage((message) => received.push(message));
    transport.send({ type: 'error', id: null, message: 'before connect' });
    parentPort.emit('message', { data: { type: 'connect' }, ports: [port] });
    port.emit('message', { data: { type: 'hello', id: 'h' } });
    transport.send({ type: 'ready', id: 'h', pid: 1, node: '22', engineVersion: 'x', transport: 'electron-utility-process' });
    expect({ kind: transport.kind, received, started: port.started, viaParent: parentPort.posted, viaPort: port.posted }).toEqual({
      kind: 'electron-utility-process',
      received: [{ type: 'hello', id: 'early' }, { type: 'hello', id: 'h' }],
      started: true,
      viaParent: [{ type: 'error', id: null, message: 'before connect' }],
      viaPort: [{ type: 'ready', id: 'h', pid: 1, node: '22', engineVersion: 'x', transport: 'electron-utility-process' }],
    });
  });

  it('under child_process.fork uses process.send, and is null for a process started from a shell', () => {
    const sent: unknown[] = [];
    const proc = Object.assign(new EventEmitter(), { send: (message: unknown) => sent.push(message), connected: true });
    const transport = connectToParent(proc as unknown as NodeJS.Process)!;
    transport.send({ type: 'error', id: null, message: 'm' });
    expect({ kind: transport.kind, sent, shell: connectToParent(new EventEmitter() as unknown as NodeJS.Process) }).toEqual({ kind: 'node-fork', sent: [{ type: 'error', id: null, message: 'm' }], shell: null });
  });
});
