import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromium } from './support/chromium.ts';
import { serveRenderer } from './support/static-server.ts';

let browser: Awaited<ReturnType<typeof launchChromium>>;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  server = await serveRenderer('out/renderer');
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(server.url);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the built renderer in Chromium', () => {
  it('renders the application shell: name, navigation, status', async () => {
    await expect.poll(() => page.locator('h1').textContent()).toBe('VoxNAS');
    expect(await page.title()).toBe('VoxNAS');
    const navigation = page.getByRole('navigation', { name: 'Main' });
    // Each button is the step number, then the section's name.
    const labels = (await navigation.getByRole('button').allTextContents()).map((text) => text.replace(/^\s*\d+\s*/, '').trim());
    expect(labels).toEqual(['Datasets', 'Search', 'Monitor', 'Review', 'Models']);
    expect(await navigation.locator('[aria-current="page"]').textContent()).toContain('Datasets');
    // Opened on its own, the page has no preload: it must say so instead of failing.
    expect(await page.getByRole('status').getAttribute('data-status')).toBe('offline');
  });

  it('navigates between sections', async () => {
    await page.getByRole('button', { name: 'Search' }).click();
    expect(await page.getByRole('heading', { level: 2 }).textContent()).toBe('Search');
    expect(await page.locator('[aria-current="page"]').textContent()).toContain('Search');
    await page.getByRole('button', { name: 'Review' }).click();
    expect(await page.getByRole('heading', { level: 2 }).textContent()).toBe('Review');
  });

  it('runs under the app CSP without errors or warnings in the console', () => {
    expect(problems).toEqual([]);
  });
});
