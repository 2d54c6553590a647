import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ContractError } from '../../../../main/contract/errors.ts';
import type { JobEvent } from '../../../../main/contract/index.ts';
import { startServer, type RunningServer } from '../../../../main/server/serve.ts';
import { createHttpTransport, VoxnasError, type OpenSocket } from '../../../../renderer/src/transport/http.ts';

/** Services with a volume, a refusal and events the test publishes. */
function fakeServices() {
  const listeners = new Set<(event: 'job.event', payload: JobEvent) => void>();
  return {
    publish: (payload: JobEvent) => listeners.forEach((listener) => listener('job.event', payload)),
    async handle(name: string, request: unknown): Promise<unknown> {
      if (name === 'jobs.list') return [{ echo: request }];
      if (name === 'workspace.open') throw new ContractError('bad-request', "workspace.open: 'folder' must be an absolute path, not 'relative/dir'.");
      if (name === 'volumes.get') {
        return { caseId: 'case_7', kind: 'label', dims: [2, 2, 1], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], dtype: 'uint8', data: new Uint8Array([0, 1, 2, 1]).buffer };
      }
      throw new ContractError('bad-request', `Unknown command '${name}'.`);
    },
    subscribe(listener: (event: 'job.event', payload: JobEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

const rendererDir = mkdtempSync(join(tmpdir(), 'voxnas-transport-'));
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><html><head></head><body></body></html>');

let server: RunningServer;
let services: ReturnType<typeof fakeServices>;
/** Sockets the transport opened, so the test can drop one as a network failure would. */
const sockets: WebSocket[] = [];

/** `ws` in place of the browser's WebSocket; Node has no cookie jar, so the token goes in a header. */
function nodeSocket(token: string): OpenSocket {
  return (url, handlers) => {
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    sockets.push(socket);
    socket.on('open', () => handlers.open());
    socket.on('message', (data) => handlers.message(String(data)));
    socket.on('error', () => undefined);
    socket.on('close', () => handlers.close());
    return socket;
  };
}

function transport(token = server.token) {
  return createHttpTransport({
    baseUrl: `http://127.0.0.1:${server.port}/`,
    headers: { authorization: `Bearer ${token}` },
    openSocket: nodeSocket(token),
    reconnectDelays: [20],
  });
}

const event = (seq: number): JobEvent => ({ jobId: 'job-1', seq, time: new Date(0).toISOString(), type: 'log', message: `line ${seq}` });

beforeAll(async () => {
  services = fakeServices();
  server = await startServer({ rendererDir, services });
});

afterAll(async () => {
  await server.close();
});

describe('HTTP transport (browser mode) against the real server', () => {
  it('invokes commands, rebuilds binary volumes with an ArrayBuffer, and rejects with the services code and message', async () => {
    const api = transport();
    expect(await api.invoke('jobs.list', { workspace: '/data/ws' })).toEqual([{ echo: { workspace: '/data/ws' } }]);
    const volume = await api.invoke('volumes.get', { workspace: '/data/ws', caseId: 'case_7', kind: 'label' });
    expect(volume.data).toBeInstanceOf(ArrayBuffer);
    expect({ ...volume, data: [...new Uint8Array(volume.data)] }).toEqual({
      caseId: 'case_7',
      kind: 'label',
      dims: [2, 2, 1],
      spacing: [1, 1, 1],
      origin: [0, 0, 0],
      direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
      dtype: 'uint8',
      data: [0, 1, 2, 1],
    });
    const refused = await api.invoke('workspace.open', { folder: 'relative/dir' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(VoxnasError);
    expect({ code: (refused as VoxnasError).code, message: (refused as VoxnasError).message }).toEqual({
      code: 'bad-request',
      message: "workspace.open: 'folder' must be an absolute path, not 'relative/dir'.",
    });
  });

  it('says what to do when the token is wrong or the server is gone', async () => {
    const failure = (promise: Promise<unknown>) => promise.then(() => new VoxnasError('failed', 'it was accepted'), (error: unknown) => error as VoxnasError);
    const wrong = await failure(transport('x'.repeat(43)).invoke('jobs.list', { workspace: '/w' }));
    expect([wrong.code, wrong.message]).toEqual(['failed', expect.stringMatching(/HTTP 401.*link that `npm run serve` printed/)]);
    const gone = createHttpTransport({ baseUrl: 'http://127.0.0.1:9', openSocket: nodeSocket('') });
    const unreachable = await failure(gone.invoke('jobs.list', { workspace: '/w' }));
    expect(unreachable.message).toMatch(/Could not reach the VoxNAS server at http:\/\/127\.0\.0\.1:9 .*npm run serve/);
  });

  it('streams events over one shared socket, reconnects after a drop, and closes when nobody listens', async () => {
    const api = transport();
    const first: number[] = [];
    const second: number[] = [];
    const before = sockets.length;
    const stopFirst = api.subscribe('job.event', (payload) => first.push(payload.seq));
    const stopSecond = api.subscribe('job.event', (payload) => second.push(payload.seq));
    const opened = before + 1;
    expect(sockets.length).toBe(opened);
    await expect.poll(() => sockets.at(-1)?.readyState).toBe(WebSocket.OPEN);
    services.publish(event(1));
    await expect.poll(() => [first, second]).toEqual([[1], [1]]);

    sockets.at(-1)!.terminate();
    await expect.poll(() => sockets.length).toBe(opened + 1);
    await expect.poll(() => sockets.at(-1)?.readyState).toBe(WebSocket.OPEN);
    services.publish(event(2));
    await expect.poll(() => first).toEqual([1, 2]);

    stopFirst();
    services.publish(event(3));
    await expect.poll(() => second).toEqual([1, 2, 3]);
    expect(first).toEqual([1, 2]);
    stopSecond();
    await expect.poll(() => sockets.at(-1)?.readyState).toBe(WebSocket.CLOSED);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sockets.length).toBe(opened + 1);
  });
});
