/**
 * The researcher's workflow in the browser, for end-to-end tests: `startApp()` runs `npm run serve`
 * (main/server/cli.ts through tsx: the real services and a forked worker) on a temporary state
 * folder and opens it in Chromium at 1280x800; `importAndSearch()` drives the UI from an empty
 * workspace to a running search with a leaderboard row, saving a screenshot of each screen.
 * Later steps (review, export) continue from there: see e2e/workflow.e2e.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { JobInfo } from '../../main/contract/index.ts';
import { launchChromium } from './chromium.ts';

export const SAMPLE_DIR = resolve('resources', 'sample');
export const RESULTS_DIR = 'test-results';

/**
 * ENAS step knobs small enough for this 2-core machine (about 25 s of search and final training):
 * one controller step of two shared-training steps and two children scored on one reward case,
 * one finalist, two final training steps. The wizard passes them through its advanced settings.
 */
export const TINY_ENAS = { maxControllerSteps: 1, finalSteps: 2, enas: { sharedSteps: 2, casesPerChild: 1, finalists: 1, controller: { childrenPerStep: 2 } } };

export interface RunningApp {
  /** The app's origin, e.g. http://127.0.0.1:41234. */
  origin: string;
  /** For scripts and assertions outside the page (`Authorization: Bearer <token>`). */
  token: string;
  /** A temporary folder for workspaces and copies of datasets; removed by close(). */
  work: string;
  page: Page;
  /** Console errors and warnings, and uncaught page errors, as they happened. */
  problems: string[];
  /** A command through the same HTTP API the page uses. */
  command<T>(name: string, request: Record<string, unknown>): Promise<T>;
  /** Closes Chromium, stops the server (SIGTERM, worker included) and removes the temporary folders. */
  close(): Promise<void>;
}

/** `npm run serve` (main/server/cli.ts through tsx) on a state folder, once it has printed its URL; `output()` is everything it printed so far. */
export function startServe(stateDir: string): Promise<{ child: ChildProcess; url: URL; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/server/cli.ts'], { env: { ...process.env, VOXNAS_STATE_DIR: stateDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npm run serve printed no URL within 45 s:\n${output}`));
    }, 45_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /VoxNAS is running at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveStart({ child, url: new URL(match[1]!), output: () => output });
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`npm run serve exited with ${code} before printing its URL:\n${output}`)));
  });
}

/** Stops a server child: SIGTERM, then SIGKILL after 15 s. */
async function stopServe(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/**
 * The real server and worker on a fresh state folder, and a Chromium page on it, connected. When
 * any of it fails (e.g. no Chromium), what was started is stopped and removed before the error.
 */
export async function startApp(): Promise<RunningApp> {
  const work = mkdtempSync(join(tmpdir(), 'voxnas-workflow-'));
  const undo: (() => Promise<void>)[] = [async () => rmSync(work, { recursive: true, force: true })];
  try {
    mkdirSync(join(work, 'workspaces'), { recursive: true });
    const { child, url } = await startServe(join(work, 'state'));
    undo.unshift(() => stopServe(child));
    const browser = await launchChromium();
    undo.unshift(() => browser.close());
    return await connectApp(work, child, url, browser);
  } catch (error) {
    for (const step of undo) await step().catch(() => undefined);
    throw error;
  }
}

async function connectApp(work: string, child: ChildProcess, url: URL, browser: Awaited<ReturnType<typeof launchChromium>>): Promise<RunningApp> {
  const token = url.searchParams.get('token')!;
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(url.href);
  // Not expect.poll: startApp may run in a hook, outside a test.
  await page.locator('[role="status"][data-status="connected"]').waitFor({ timeout: 30_000 });
  return {
    origin: url.origin,
    token,
    work,
    page,
    problems,
    async command<T>(name: string, request: Record<string, unknown>) {
      const response = await fetch(`${url.origin}/api/command/${name}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(request) });
      const body = (await response.json()) as T & { error?: { message: string } };
      if (!response.ok) throw new Error(`${name}: ${body.error?.message ?? response.status}`);
      return body;
    },
    async close() {
      await browser.close();
      await stopServe(child);
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/**
 * A full-page screenshot into test-results/<name>.png. The app scrolls inside its main area (header,
 * navigation and status bar stay put), so for the picture the shell grows to its content.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.png`);
  const style = await page.addStyleTag({ content: '.app-shell { height: auto !important; min-height: 100vh; } .app-main { overflow: visible !important; }' });
  try {
    await page.screenshot({ path, fullPage: true });
  } finally {
    await style.evaluate((element) => element.remove());
  }
  return path;
}

export interface SearchOptions {
  /** The dataset folder to import (default: resources/sample). */
  source?: string;
  /** Job params the wizard's advanced field passes (default: TINY_ENAS). */
  advanced?: Record<string, unknown>;
  /** Wall budget in minutes (default 2). */
  minutes?: number;
}

/**
 * From the Datasets screen: creates `workspace`, imports the dataset, plans it, starts an ENAS
 * search in the wizard and waits on the Monitor for progress and a first leaderboard row. Saves
 * test-results/datasets.png, search-wizard.png and monitor.png. Returns the search job's id.
 */
export async function importAndSearch(page: Page, workspace: string, options: SearchOptions = {}): Promise<string> {
  await page.getByRole('button', { name: 'Datasets', exact: true }).click();
  await page.getByLabel('Workspace folder', { exact: true }).fill(workspace);
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await expect.poll(() => page.getByText('This workspace has no dataset yet').isVisible()).toBe(true);

  await page.getByLabel('Dataset folder', { exact: true }).fill(options.source ?? SAMPLE_DIR);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect.poll(() => page.getByTestId('case-count').textContent(), { timeout: 120_000, interval: 500 }).toMatch(/^\d+$/);
  await expect.poll(() => page.getByRole('table', { name: 'Issues by case' }).or(page.getByText('Every case passed the integrity check')).first().isVisible()).toBe(true);
  await screenshot(page, 'datasets');

  await page.getByRole('tab', { name: 'Plan' }).click();
  await page.getByRole('button', { name: 'Plan', exact: true }).click();
  await expect.poll(() => page.getByTestId('plan-patch').isVisible(), { timeout: 120_000, interval: 500 }).toBe(true);

  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('radio', { name: /RONASMIS \/ ENAS/ }).check();
  await page.getByLabel('Hours', { exact: true }).fill('0');
  await page.getByLabel('Minutes', { exact: true }).fill(String(options.minutes ?? 2));
  await page.getByText('Advanced job settings').click();
  await page.getByLabel(/Extra job parameters/).fill(JSON.stringify(options.advanced ?? TINY_ENAS));
  await expect.poll(() => page.getByTestId('estimate-eta').isVisible(), { timeout: 30_000 }).toBe(true);
  await screenshot(page, 'search-wizard');

  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect.poll(() => page.getByRole('heading', { name: /RONASMIS \/ ENAS search/ }).isVisible(), { timeout: 30_000 }).toBe(true);
  await expect.poll(() => page.getByTestId('leaderboard-row').count(), { timeout: 180_000, interval: 1000 }).toBeGreaterThan(0);
  await screenshot(page, 'monitor');
  const jobs = await page.evaluate(async (folder) => {
    const response = await fetch('/api/command/jobs.list', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ workspace: folder }) });
    return (await response.json()) as JobInfo[];
  }, workspace);
  const search = jobs.find((job) => job.kind === 'search');
  if (!search) throw new Error(`No search job in ${workspace}: ${JSON.stringify(jobs.map((job) => job.kind))}`);
  return search.id;
}

/** Waits until a job ends (through the HTTP API); returns its final record. */
export async function waitForJob(app: RunningApp, workspace: string, jobId: string, timeoutMs = 180_000): Promise<JobInfo> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = (await app.command<JobInfo[]>('jobs.list', { workspace })).find((entry) => entry.id === jobId);
    if (job && ['succeeded', 'failed', 'cancelled', 'interrupted'].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`Job ${jobId} did not end within ${timeoutMs / 1000} s (last status ${job?.status ?? 'unknown'}).`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 1000));
  }
}
