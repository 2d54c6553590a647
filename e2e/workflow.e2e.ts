import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../main/contract/index.ts';
import { importAndSearch, screenshot, startApp, waitForJob, type RunningApp } from './support/workflow.ts';

/**
 * The researcher's whole workflow in browser mode, with the real server and worker: import
 * resources/sample and see the report, start a tiny search and follow it on the Monitor to a
 * leaderboard row (e2e/support/workflow.ts drives those screens), then Review: evaluate the model on
 * its fold's validation cases, open the worst case and see the overlays on the viewer's canvases
 * (labelmaps in the three planes, label surfaces in the 3D view; pixels read back from the
 * viewports, overlay on against off, slice scrolling, window presets),
 * then Models: export to ONNX, see parity, metadata and model card, and load the written file
 * with onnxruntime-node; last, a case opened from the Datasets screen (image and ground truth only).
 * Saves test-results/review.png, models-export.png and review-dataset-case.png (and the screens of
 * importAndSearch).
 */
let app: RunningApp;
let workspace: string;

beforeAll(async () => {
  app = await startApp();
  workspace = join(app.work, 'workspaces', 'hippocampus');
}, 90_000);

afterAll(async () => {
  await app?.close();
});

interface CanvasPixels {
  width: number;
  height: number;
  /** Pixels whose channels differ by more than 40: a label colour, never the grey image. */
  coloured: number;
  /** Pixels brighter than black. */
  lit: number;
  /** A cheap fingerprint of the whole picture (changes when the slice or the window changes). */
  checksum: number;
}

/** What the pixel reader uses of a canvas (this file is type-checked without the DOM library; the function runs in the page). */
interface PageCanvas {
  width: number;
  height: number;
  ownerDocument: { createElement(tag: 'canvas'): PageCanvas };
  getContext(kind: '2d', options?: { willReadFrequently: boolean }): { drawImage(image: PageCanvas, x: number, y: number): void; getImageData(x: number, y: number, width: number, height: number): { data: ArrayLike<number> } } | null;
}

/**
 * Reads a viewport's canvas back: copied into a fresh canvas first, so that the page never reads
 * the same canvas twice (Chromium warns about repeated readbacks of a canvas not made for them).
 */
function viewportPixels(page: Page, viewport: string): Promise<CanvasPixels> {
  return page.locator(`[data-viewport="${viewport}"] canvas`).first().evaluate((element) => {
    const source = element as unknown as PageCanvas;
    const copy = source.ownerDocument.createElement('canvas');
    copy.width = source.width;
    copy.height = source.height;
    const context = copy.getContext('2d', { willReadFrequently: true })!;
    context.drawImage(source, 0, 0);
    const data = context.getImageData(0, 0, copy.width, copy.height).data;
    let coloured = 0;
    let lit = 0;
    let checksum = 0;
    for (let index = 0; index < data.length; index += 4) {
      const [red, green, blue] = [data[index]!, data[index + 1]!, data[index + 2]!];
      if (Math.max(red, green, blue) - Math.min(red, green, blue) > 40) coloured += 1;
      if (Math.max(red, green, blue) > 20) lit += 1;
      checksum = (checksum * 31 + red + 7 * green + 13 * blue) % 1_000_000_007;
    }
    return { width: copy.width, height: copy.height, coloured, lit, checksum };
  });
}

const ORTHOGRAPHIC = ['axial', 'sagittal', 'coronal'];
const colouredInViews = async (page: Page) => (await Promise.all(ORTHOGRAPHIC.map((viewport) => viewportPixels(page, viewport)))).reduce((sum, pixels) => sum + pixels.coloured, 0);

describe('the researcher workflow: search, review, export', () => {
  it('shows Review and Models empty before a workspace is open', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Review', exact: true }).click();
    await expect.poll(() => page.getByText('No workspace is open').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Models', exact: true }).click();
    await expect.poll(() => page.getByText('No workspace is open').isVisible()).toBe(true);
  });

  it('imports resources/sample, searches, reviews the model on the viewer and exports it to ONNX', { timeout: 360_000 }, async () => {
    const { page } = app;
    const started = Date.now();
    const searchId = await importAndSearch(page, workspace);
    const search = await waitForJob(app, workspace, searchId);
    expect({ status: search.status, error: search.error }).toEqual({ status: 'succeeded', error: null });
    const modelId = search.result!['modelId'] as string;
    const searched = Date.now();

    // Review: the new model is chosen; it has no evaluation yet, so the view offers one.
    await page.getByRole('button', { name: 'Review', exact: true }).click();
    await expect.poll(() => page.getByLabel('Model', { exact: true }).inputValue(), { timeout: 30_000 }).toBe(modelId);
    await page.getByRole('button', { name: 'Evaluate on validation cases' }).click();
    const rows = page.getByRole('table', { name: 'Dice per class, worst case first' }).locator('tbody tr');
    await expect.poll(() => rows.count(), { timeout: 120_000, interval: 500 }).toBeGreaterThan(0);
    const splits = (await app.command<{ modelId: string; cases: { caseId: string; meanDice: number | null }[] }>('review.metrics', { workspace, modelId })).cases;
    const means = splits.map((entry) => entry.meanDice ?? Infinity);
    expect(means).toEqual([...means].sort((a, b) => a - b));
    expect(await rows.locator('td:first-child').allTextContents()).toEqual(splits.map((entry) => entry.caseId));

    // The worst case in the viewer, with ground truth and prediction overlaid on the image.
    await rows.first().click();
    await expect.poll(() => page.getByLabel('Case viewer').getAttribute('data-status'), { timeout: 60_000 }).toBe('ready');
    await expect.poll(async () => (await viewportPixels(page, 'axial')).lit, { timeout: 30_000 }).toBeGreaterThan(1000);
    await expect.poll(() => colouredInViews(page), { timeout: 30_000 }).toBeGreaterThan(200);
    // The labels' surfaces in the 3D view (the MR volume rendering itself is grey).
    await expect.poll(async () => (await viewportPixels(page, 'volume3d')).coloured, { timeout: 30_000 }).toBeGreaterThan(100);
    const withBoth = await colouredInViews(page);
    await page.getByLabel('Show prediction').uncheck();
    await expect.poll(() => colouredInViews(page)).toBeLessThan(withBoth);
    const truthOnly = await colouredInViews(page);
    expect(truthOnly).toBeGreaterThan(50);
    await page.getByLabel('Show ground truth').uncheck();
    await expect.poll(() => colouredInViews(page)).toBe(0);
    await expect.poll(async () => (await viewportPixels(page, 'volume3d')).coloured).toBe(0);
    // Overlays off, the image is still there; the window preset changes its grey levels.
    const plain = await viewportPixels(page, 'axial');
    expect(plain.lit).toBeGreaterThan(1000);
    await page.getByLabel('Window preset').selectOption('full');
    await expect.poll(async () => (await viewportPixels(page, 'axial')).checksum).not.toBe(plain.checksum);
    // Slice scrolling from the keyboard: the axial view moves to another slice.
    const before = await viewportPixels(page, 'axial');
    await page.getByRole('group', { name: /^Axial view/ }).focus();
    for (let step = 0; step < 4; step += 1) await page.keyboard.press('ArrowUp');
    await expect.poll(async () => (await viewportPixels(page, 'axial')).checksum).not.toBe(before.checksum);
    await page.getByLabel('Show ground truth').check();
    await page.getByLabel('Show prediction').check();
    await page.getByLabel('Window preset').selectOption('auto');
    await expect.poll(() => colouredInViews(page)).toBeGreaterThan(0);
    // The 3D view renders the volume, and the surfaces again.
    expect((await viewportPixels(page, 'volume3d')).lit).toBeGreaterThan(500);
    await expect.poll(async () => (await viewportPixels(page, 'volume3d')).coloured).toBeGreaterThan(100);
    await screenshot(page, 'review');

    // Models: export to a file chosen here (browser mode: a typed path on the server), parity, metadata, card.
    await page.getByRole('button', { name: 'Models', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { name: `Export ${modelId}` }).isVisible(), { timeout: 30_000 }).toBe(true);
    await page.getByRole('button', { name: 'Choose where to save the ONNX file' }).click();
    await expect.poll(() => page.getByRole('note').filter({ hasText: /type the absolute path of the \.onnx file/ }).isVisible()).toBe(true);
    await page.getByLabel('Save as', { exact: true }).fill('hippocampus.onnx');
    await page.getByRole('button', { name: 'Export ONNX' }).click();
    await expect.poll(() => page.getByRole('alert').filter({ hasText: /Type an absolute path/ }).isVisible()).toBe(true);
    const destination = join(app.work, 'exports', 'hippocampus.onnx');
    mkdirSync(join(app.work, 'exports'), { recursive: true });
    await page.getByLabel('Save as', { exact: true }).fill(destination);
    await page.getByRole('button', { name: 'Export ONNX' }).click();
    await expect.poll(async () => (await app.command<JobInfo[]>('jobs.list', { workspace })).filter((job) => job.kind === 'export').length, { timeout: 30_000 }).toBe(1);
    const exportJob = (await app.command<JobInfo[]>('jobs.list', { workspace })).find((job) => job.kind === 'export')!;
    const exported = await waitForJob(app, workspace, exportJob.id, 120_000);
    expect({ status: exported.status, error: exported.error }).toEqual({ status: 'succeeded', error: null });
    await expect.poll(() => page.getByTestId('export-path').isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await page.getByTestId('export-path').textContent()).toBe(destination);
    expect(await page.getByText('parity passed').isVisible()).toBe(true);
    expect(Number(await page.getByTestId('parity-difference').textContent())).toBeLessThan(1e-3);
    const metadata = page.getByRole('table', { name: 'ONNX metadata properties' });
    await expect.poll(() => metadata.locator('tbody tr').count()).toBeGreaterThan(5);
    expect(await metadata.getByText('labelNames', { exact: true }).isVisible()).toBe(true);
    expect(await page.getByRole('article', { name: 'Model card' }).getByRole('heading', { name: /^Model / }).isVisible()).toBe(true);
    await screenshot(page, 'models-export');

    // The written file is a model onnxruntime-node loads, with the input and output the card names.
    const session = await ort.InferenceSession.create(destination);
    expect({ inputs: session.inputNames, outputs: session.outputNames }).toEqual({ inputs: ['image'], outputs: ['probabilities'] });
    await session.release();
    // A dataset case opened from the Datasets screen: image and ground truth, no model.
    await page.getByRole('button', { name: 'Datasets', exact: true }).click();
    await page.getByRole('tab', { name: 'Cases' }).click();
    const [caseId] = splits.map((entry) => entry.caseId);
    await page.getByRole('button', { name: `Open ${caseId} in the viewer` }).click();
    await expect.poll(() => page.getByText('(image and ground truth)').isVisible(), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => page.getByLabel('Case viewer').getAttribute('data-status'), { timeout: 60_000 }).toBe('ready');
    await expect.poll(() => colouredInViews(page), { timeout: 30_000 }).toBeGreaterThan(50);
    expect(await page.getByLabel('Show prediction').isDisabled()).toBe(true);
    await screenshot(page, 'review-dataset-case');

    const jobs = await app.command<JobInfo[]>('jobs.list', { workspace });
    expect(jobs.map((job) => [job.kind, job.status])).toEqual([
      ['export', 'succeeded'],
      ['evaluate', 'succeeded'],
      ['search', 'succeeded'],
      ['plan', 'succeeded'],
      ['import', 'succeeded'],
    ]);
    expect(app.problems).toEqual([]);
    console.log(`search ${Math.round((searched - started) / 1000)} s, review and export ${Math.round((Date.now() - searched) / 1000)} s`);
  });
});
