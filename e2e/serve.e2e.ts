import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { JobInfo } from '../main/contract/index.ts';
import { launchChromium } from './support/chromium.ts';
import { startServe } from './support/workflow.ts';

/**
 * `npm run serve` end to end: the CLI as a child process (what the npm script runs: main/server/cli.ts
 * through tsx) with the real services and the forked worker on a temporary state folder, probed for
 * its access rules, then driven in Chromium through a real import of resources/sample.
 */
const work = mkdtempSync(join(tmpdir(), 'voxnas-serve-e2e-'));
const stateDir = join(work, 'state');
const workspaceDir = join(work, 'workspaces', 'hippocampus');
const sampleDir = resolve('resources', 'sample');

let serve: ChildProcess;
let output: () => string;
let url: URL;
let port: number;
let token: string;

/** One raw HTTP request (fetch cannot forge a Host header). */
function send(path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolveReply, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolveReply({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

/** Whether a TCP connection to host:port succeeds. */
function reachable(host: string): Promise<boolean> {
  return new Promise((resolveReachable) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolveReachable(true);
    });
    socket.once('error', () => resolveReachable(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolveReachable(false);
    });
  });
}

/** Live child processes of `pid` (Linux /proc; empty elsewhere). */
function childPids(pid: number): number[] {
  if (!existsSync('/proc')) return [];
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(parent) === pid && state !== 'Z';
      } catch {
        return false;
      }
    })
    .map(Number);
}

beforeAll(async () => {
  mkdirSync(join(work, 'workspaces'), { recursive: true });
  ({ child: serve, url, output } = await startServe(stateDir));
  port = Number(url.port);
  token = url.searchParams.get('token')!;
}, 60_000);

afterAll(async () => {
  if (serve && serve.exitCode === null && serve.signalCode === null) {
    serve.kill('SIGKILL');
    await once(serve, 'exit');
  }
  rmSync(work, { recursive: true, force: true });
});

describe('npm run serve (browser mode)', () => {
  it('prints a link on 127.0.0.1 with a random token of at least 128 bits', () => {
    expect(url.origin).toBe(`http://127.0.0.1:${port}`);
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
  });

  it('listens on loopback only: other addresses of this machine do not answer', async () => {
    expect(await reachable('127.0.0.1')).toBe(true);
    // A socket bound to 0.0.0.0 would answer on 127.0.0.2 (Linux routes all of 127/8 to lo) and on the LAN addresses.
    const others = ['127.0.0.2', ...Object.values(networkInterfaces()).flat().filter((entry) => entry && !entry.internal).map((entry) => entry!.address)];
    const answered = await Promise.all(others.map(async (address) => [address, await reachable(address)] as const));
    expect(answered.filter(([, ok]) => ok)).toEqual([]);
  });

  it('refuses HTTP requests and WebSockets without the token, and a foreign Host even with it', async () => {
    const replies = await Promise.all([
      send('/'),
      send('/api/command/app.info', { method: 'POST', body: '{}' }),
      send('/?token=not-the-token'),
      send('/', { headers: { authorization: `Bearer ${token}`, host: `attacker.example:${port}` } }),
    ]);
    expect(replies.map((reply) => reply.status)).toEqual([401, 401, 401, 403]);
    const socketStatus = await new Promise<number>((resolveStatus) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/api/events`, { headers: { origin: url.origin } });
      socket.once('unexpected-response', (_request, response) => resolveStatus(response.statusCode ?? 0));
      socket.once('open', () => resolveStatus(101));
      socket.once('error', () => resolveStatus(-1));
    });
    expect(socketStatus).toBe(401);
  });

  it('opens in Chromium and imports resources/sample through the real services and worker', { timeout: 240_000 }, async () => {
    const browser = await launchChromium();
    const problems: string[] = [];
    try {
      const page: Page = await browser.context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      // Job events must reach the page over its WebSocket (cookie auth, CSP connect-src), not only through catch-up reads.
      const frames: string[] = [];
      page.on('websocket', (socket) => socket.on('framereceived', (frame) => frames.push(String(frame.payload))));
      await page.goto(url.href);
      // The token went into an HttpOnly cookie; the address bar no longer shows it.
      expect(page.url()).toBe(`${url.origin}/`);
      await expect.poll(() => page.getByRole('status').getAttribute('data-status')).toBe('connected');
      expect(await page.getByRole('status').textContent()).toContain('browser');

      // No native dialog in a browser: Choose… explains, and the text field is the way.
      await page.getByRole('button', { name: 'Choose workspace folder', exact: true }).click();
      await expect.poll(() => page.getByRole('note').textContent()).toMatch(/type the absolute path/i);

      await page.getByLabel('Workspace folder', { exact: true }).fill(workspaceDir);
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await expect.poll(() => page.getByText('This workspace has no dataset yet').isVisible()).toBe(true);

      await page.getByLabel('Dataset folder', { exact: true }).fill(sampleDir);
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await expect.poll(() => page.getByTestId('case-count').textContent(), { timeout: 180_000, interval: 500 }).toBe('10');
      const summary = page.getByLabel('Integrity summary');
      expect(await summary.locator('dd').allTextContents()).toEqual(['10', '0', expect.stringMatching(/^\d+$/)]);
      expect(await page.getByRole('alert').count()).toBe(0);
      const streamed = frames.map((frame) => JSON.parse(frame) as { event: string; payload: { status?: string } });
      expect(streamed.filter((frame) => frame.event === 'job.event' && frame.payload.status === 'succeeded').length).toBe(1);
      mkdirSync('test-results', { recursive: true });
      await page.screenshot({ path: join('test-results', 'serve-datasets.png'), fullPage: true });

      // A dataset with a missing label: the import job fails in the worker and the view says why.
      const broken = join(work, 'broken-sample');
      cpSync(sampleDir, broken, { recursive: true });
      rmSync(join(broken, 'labelsTr', 'hippocampus_008.nii.gz'));
      await page.getByLabel('Workspace folder', { exact: true }).fill(join(work, 'workspaces', 'broken'));
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await page.getByLabel('Dataset folder', { exact: true }).fill(broken);
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 60_000 }).toMatch(/nothing was imported.*hippocampus_008/);
    } finally {
      await browser.close();
    }
    expect(problems).toEqual([]);

    // The import ran as a job in the worker and left its record in the workspace.
    const jobs = await send('/api/command/jobs.list', { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ workspace: workspaceDir }) });
    expect((JSON.parse(jobs.body) as JobInfo[]).map((job) => [job.kind, job.status])).toEqual([['import', 'succeeded']]);
  });

  it('stops cleanly on SIGTERM, worker included', { timeout: 30_000 }, async () => {
    const workers = childPids(serve.pid!);
    const exited = once(serve, 'exit');
    serve.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect({ code, output: output().includes('SIGTERM: stopping VoxNAS') }).toEqual({ code: 0, output: true });
    expect(await reachable('127.0.0.1')).toBe(false);
    await expect.poll(() => workers.filter((pid) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '))).toEqual([]);
  });
});
