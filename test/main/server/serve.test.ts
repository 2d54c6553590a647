import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ContractError } from '../../../main/contract/errors.ts';
import type { JobEvent } from '../../../main/contract/index.ts';
import { startServer, type RunningServer } from '../../../main/server/serve.ts';

/** A stand-in for createServices: a few commands, and events the test publishes. */
function fakeServices() {
  const listeners = new Set<(event: 'job.event', payload: JobEvent) => void>();
  const calls: [string, unknown][] = [];
  return {
    calls,
    publish: (payload: JobEvent) => listeners.forEach((listener) => listener('job.event', payload)),
    listenerCount: () => listeners.size,
    async handle(name: string, request: unknown): Promise<unknown> {
      calls.push([name, request]);
      if (name === 'app.info') return { name: 'VoxNAS', version: '0.1.0', mode: 'browser', platform: process.platform };
      if (name === 'workspace.open') throw new ContractError('not-found', "No workspace at '/nowhere': create it first.");
      if (name === 'jobs.cancel') throw new ContractError('conflict', 'Job j1 has already finished.');
      if (name === 'jobs.list') throw new Error('disk on fire');
      if (name === 'volumes.get') {
        const voxels = new Float32Array([1.5, -2, 3.25, 0, 7, 8]);
        return { caseId: 'héla_001', kind: 'image', dims: [1, 2, 3], spacing: [1, 1, 2], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], dtype: 'float32', data: voxels.buffer };
      }
      throw new ContractError('bad-request', `Unknown command '${name}'.`);
    },
    subscribe(listener: (event: 'job.event', payload: JobEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Raw HTTP (fetch would refuse to send a forged Host header). */
function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

/** Opens a WebSocket; resolves with the socket, or with the HTTP status that refused it. */
function openSocket(url: string, headers: Record<string, string>): Promise<{ socket: WebSocket } | { refused: number }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => resolve({ socket }));
    socket.once('unexpected-response', (_request, response) => {
      resolve({ refused: response.statusCode ?? 0 });
      socket.terminate();
    });
    socket.once('error', () => resolve({ refused: -1 }));
  });
}

const root = mkdtempSync(join(tmpdir(), 'voxnas-serve-'));
mkdirSync(join(root, 'assets'));
writeFileSync(join(root, 'index.html'), '<!doctype html><html><head><title>VoxNAS</title></head><body></body></html>');
writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');

let server: RunningServer;
let services: ReturnType<typeof fakeServices>;
let base: string;
let bearer: Record<string, string>;

beforeAll(async () => {
  services = fakeServices();
  server = await startServer({ rendererDir: root, services });
  base = `http://127.0.0.1:${server.port}`;
  bearer = { authorization: `Bearer ${server.token}` };
});

afterAll(async () => {
  await server.close();
});

describe('browser-mode server', () => {
  it('listens on 127.0.0.1 only, on a free port, and prints a link with a random token', () => {
    expect(server.address).toMatchObject({ address: '127.0.0.1', family: 'IPv4', port: server.port });
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`${base}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(22);
  });

  it('refuses requests without the token with 401, and a foreign Host with 403', async () => {
    const replies = await Promise.all([
      send(`${base}/`),
      send(`${base}/assets/app.js`),
      send(`${base}/api/command/app.info`, { method: 'POST', body: '{}' }),
      send(`${base}/?token=wrong`),
      send(`${base}/`, { headers: { ...bearer, host: `rebound.example:${server.port}` } }),
    ]);
    expect(replies.map((reply) => reply.status)).toEqual([401, 401, 401, 401, 403]);
    expect(replies[0]!.body.toString()).toContain('token');
    expect(services.calls).toEqual([]);
  });

  it('trades the token in the link for a cookie, then serves the renderer with the CSP and the browser-mode marker', async () => {
    const first = await send(server.url);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const cookie = first.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await send(`${base}/`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.body.toString()).toContain('<meta name="voxnas-transport" content="http">');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain(`connect-src 'self' blob: ws://127.0.0.1:${server.port} ws://localhost:${server.port}`);
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    const script = await send(`${base}/assets/app.js`, { headers: { cookie: cookie.split(';')[0]! } });
    expect([script.status, script.headers['content-type'], script.body.toString()]).toEqual([200, 'text/javascript; charset=utf-8', 'console.log(1)']);
  });

  it('runs commands as POST /api/command/<name> and answers errors as { error: { code, message } } with their status', async () => {
    const post = (name: string, body: string, headers: Record<string, string> = {}) =>
      send(`${base}/api/command/${name}`, { method: 'POST', body, headers: { ...bearer, 'content-type': 'application/json', ...headers } });
    const info = await post('app.info', '{}');
    expect([info.status, JSON.parse(info.body.toString())]).toEqual([200, { name: 'VoxNAS', version: '0.1.0', mode: 'browser', platform: process.platform }]);
    const errors = await Promise.all([post('workspace.open', '{"folder":"/nowhere"}'), post('jobs.cancel', '{"jobId":"j1"}'), post('jobs.list', '{}'), post('no.such', '{}'), post('app.info', '{oops')]);
    expect(errors.map((reply) => [reply.status, JSON.parse(reply.body.toString())])).toEqual([
      [404, { error: { code: 'not-found', message: "No workspace at '/nowhere': create it first." } }],
      [409, { error: { code: 'conflict', message: 'Job j1 has already finished.' } }],
      [500, { error: { code: 'failed', message: 'disk on fire' } }],
      [400, { error: { code: 'bad-request', message: "Unknown command 'no.such'." } }],
      [400, { error: { code: 'bad-request', message: expect.stringContaining("The body of 'app.info' is not JSON") } }],
    ]);
    expect((await send(`${base}/api/command/app.info`, { headers: bearer })).status).toBe(405);
    expect((await post('app.info', '{}', { origin: 'https://evil.example' })).status).toBe(403);
    expect(services.calls.find(([name]) => name === 'workspace.open')).toEqual(['workspace.open', { folder: '/nowhere' }]);
  });

  it('sends a volume as binary: the voxels as the body, the rest of the payload in a header', async () => {
    const reply = await send(`${base}/api/command/volumes.get`, { method: 'POST', headers: bearer, body: JSON.stringify({ workspace: '/w', caseId: 'héla_001', kind: 'image' }) });
    expect(reply.headers['content-type']).toBe('application/octet-stream');
    expect(reply.headers['x-voxnas-binary-field']).toBe('data');
    const meta = JSON.parse(decodeURIComponent(String(reply.headers['x-voxnas-payload'])));
    expect(meta).toEqual({ caseId: 'héla_001', kind: 'image', dims: [1, 2, 3], spacing: [1, 1, 2], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], dtype: 'float32' });
    const voxels = new Float32Array(reply.body.buffer.slice(reply.body.byteOffset, reply.body.byteOffset + reply.body.byteLength));
    expect([...voxels]).toEqual([1.5, -2, 3.25, 0, 7, 8]);
  });

  it('refuses WebSockets without the token or from another origin, and streams job events to accepted ones', async () => {
    const url = `ws://127.0.0.1:${server.port}/api/events`;
    const ours = `http://127.0.0.1:${server.port}`;
    const refused = await Promise.all([
      openSocket(url, { origin: ours }),
      openSocket(`${url}?token=nope`, { origin: ours }),
      openSocket(url, { ...bearer, origin: 'https://evil.example' }),
      openSocket(url, { ...bearer, host: `evil.example:${server.port}` }),
      openSocket(`ws://127.0.0.1:${server.port}/elsewhere`, bearer),
    ]);
    expect(refused).toEqual([{ refused: 401 }, { refused: 401 }, { refused: 403 }, { refused: 403 }, { refused: 404 }]);

    const accepted = await openSocket(url, { cookie: `voxnas-token-${server.port}=${server.token}`, origin: ours });
    if (!('socket' in accepted)) throw new Error(`the socket was refused with ${accepted.refused}`);
    const received = new Promise<unknown>((resolve) => accepted.socket.once('message', (data) => resolve(JSON.parse(String(data)))));
    const event: JobEvent = { jobId: 'j1', seq: 3, time: '2026-01-01T00:00:00.000Z', type: 'progress', fraction: 0.5, message: 'Reading case 5 of 10' };
    services.publish(event);
    expect(await received).toEqual({ event: 'job.event', payload: event });
    accepted.socket.close();
  });

  it('closes cleanly: no listener left on the services, the port released', async () => {
    const other = fakeServices();
    const running = await startServer({ rendererDir: root, services: other, token: 'a'.repeat(43) });
    const socket = await openSocket(`ws://127.0.0.1:${running.port}/api/events`, { authorization: `Bearer ${'a'.repeat(43)}` });
    expect('socket' in socket).toBe(true);
    expect(other.listenerCount()).toBe(1);
    await running.close();
    expect(other.listenerCount()).toBe(0);
    await expect(send(`http://127.0.0.1:${running.port}/`)).rejects.toThrow(/ECONNREFUSED/);
    await expect(startServer({ rendererDir: root, services: other, token: 'short' })).rejects.toThrow(/at least 22/);
  });
});
