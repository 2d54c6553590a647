import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../main/contract/index.ts';
import { importAndSearch, SAMPLE_DIR, screenshot, startApp, waitForJob, type RunningApp } from './support/workflow.ts';

/**
 * Datasets, Search and Monitor in browser mode with the real server and worker: import
 * resources/sample, see the report, the fingerprint and the thumbnails (pixels, not only DOM), plan,
 * start a tiny ENAS search from the wizard, follow it on the Monitor to a leaderboard and a model,
 * reload the page and find the same state, and see a failed job explained with what to do.
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

describe('the researcher workflow: datasets, search wizard, monitor', () => {
  it('shows empty states before there is a workspace', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => page.getByText('No workspace is open').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Monitor', exact: true }).click();
    await expect.poll(() => page.getByText('No workspace is open').isVisible()).toBe(true);
    expect(page.url()).toMatch(/#monitor$/);
  });

  it('imports, plans, starts a tiny ENAS search and follows it to a model', { timeout: 300_000 }, async () => {
    const { page } = app;
    const started = Date.now();
    const jobId = await importAndSearch(page, workspace);

    // The monitor showed progress and at least one candidate while the search ran (importAndSearch waited for a row).
    expect(await page.getByLabel('Job progress').count()).toBe(1);
    const job = await waitForJob(app, workspace, jobId);
    expect({ status: job.status, error: job.error }).toEqual({ status: 'succeeded', error: null });
    await expect.poll(() => page.getByTestId('job-status').textContent(), { timeout: 30_000 }).toBe('succeeded');
    await expect.poll(() => page.getByText('selected', { exact: true }).count()).toBeGreaterThan(0);
    const rows = await page.getByTestId('leaderboard-row').count();
    // Parameters and FLOPs come from search.candidate (the candidate's genome.json and the cost model).
    await expect.poll(() => page.getByTestId('leaderboard-row').first().locator('td').nth(2).textContent()).toMatch(/^\d+(\.\d+)? [kMG]$/);
    await expect.poll(() => page.getByRole('img', { name: /^Validation Dice per class\. / }).count()).toBe(1);
    await screenshot(page, 'monitor');

    // A reload rebuilds the same state from the workspace: same job, same status, same leaderboard.
    await page.reload();
    await expect.poll(() => page.getByTestId('job-status').textContent(), { timeout: 30_000 }).toBe('succeeded');
    await expect.poll(() => page.getByTestId('leaderboard-row').count()).toBe(rows);
    expect(await page.getByRole('button', { name: /RONASMIS \/ ENAS search/ }).getAttribute('aria-current')).toBe('true');
    console.log(`import + plan + search + final training through the UI: ${Math.round((Date.now() - started) / 1000)} s`);
  });

  it('shows the integrity report with hints, the fingerprint as charts and case thumbnails with pixels', { timeout: 60_000 }, async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Datasets', exact: true }).click();
    await expect.poll(() => page.getByTestId('case-count').textContent()).toBe('10');
    const summary = page.getByLabel('Integrity summary');
    expect(await summary.locator('dd').allTextContents()).toEqual(['10', '0', expect.stringMatching(/^\d+$/)]);

    await page.getByRole('tab', { name: 'Fingerprint' }).click();
    await expect.poll(() => page.getByRole('img', { name: /^Spacing, axis i\. / }).count()).toBe(1);
    expect(await page.getByRole('img', { name: /^Class sizes \(share of all voxels\)\. 1 Anterior: / }).count()).toBe(1);
    expect(await page.getByRole('img', { name: /^Foreground intensity per channel\. MRI: / }).count()).toBe(1);
    expect(await page.getByRole('img', { name: /^Intensity, MRI\. \d+ sampled foreground voxels in 64 bins from the 0\.5 % value / }).count()).toBe(1);
    await screenshot(page, 'datasets-fingerprint');

    await page.getByRole('tab', { name: 'Cases' }).click();
    // Thumbnails load as they scroll into view, two volumes at a time.
    const cards = page.getByRole('list', { name: 'Cases' }).locator('li');
    expect(await cards.count()).toBe(10);
    for (let index = 0; index < 10; index += 1) await cards.nth(index).scrollIntoViewIfNeeded();
    await expect.poll(() => page.locator('[data-state="ready"]').count(), { timeout: 30_000 }).toBe(10);
    const thumbnails = page.getByRole('img', { name: /^Middle axial slice of / });
    // The pixels, not only the element: the first thumbnail holds a real slice (many grey levels, not blank).
    const levels = await thumbnails.first().evaluate((canvas) => {
      // The node project has no DOM types: the canvas as far as this check needs it.
      const element = canvas as unknown as { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, width: number, height: number): { data: Uint8ClampedArray } } };
      const data = element.getContext('2d')!.getImageData(0, 0, element.width, element.height).data;
      const greys = new Set<number>();
      for (let index = 0; index < data.length; index += 4) greys.add(data[index]!);
      return { width: element.width, height: element.height, greys: greys.size };
    });
    expect(levels.width * levels.height).toBeGreaterThan(100);
    expect(levels.greys).toBeGreaterThan(20);
    await screenshot(page, 'datasets-cases');

    expect(app.problems).toEqual([]);

    await cards.first().getByRole('button', { name: /^Open hippocampus_\d+ in the viewer$/ }).click();
    expect(page.url()).toMatch(/#review$/);
    // The Review section (part E2's viewer) reads this case from navigation.reviewCase; its own test checks the pixels.
    await page.getByRole('button', { name: 'Datasets', exact: true }).click();
    app.problems.length = 0;
  });

  it('explains a failed job and what to do, with Resume', { timeout: 120_000 }, async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('Advanced job settings').click();
    const advanced = page.getByLabel(/Extra job parameters/);
    // Refused in the form: the wizard sets the budget itself.
    await advanced.fill('{"budget": "1h"}');
    await expect.poll(() => page.getByText("Set 'budget' with the form above").isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Start', exact: true }).isDisabled()).toBe(true);
    // Accepted by the form, refused by the search job in the worker: a failed job.
    await advanced.fill('{"maxCandidates": 0}');
    await page.getByRole('radio', { name: /Random search/ }).check();
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect.poll(() => page.getByTestId('job-status').textContent(), { timeout: 60_000 }).toBe('failed');
    await expect.poll(() => page.getByText(/params\.maxCandidates takes an integer >= 1/).first().isVisible()).toBe(true);
    expect(await page.getByText(/then Resume: the job continues from its last checkpoint/).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Resume', exact: true }).isVisible()).toBe(true);
    await screenshot(page, 'monitor-failed');

    const jobs = await app.command<JobInfo[]>('jobs.list', { workspace });
    expect(jobs.map((job) => [job.kind, job.status])).toEqual([
      ['search', 'failed'],
      ['search', 'succeeded'],
      ['plan', 'succeeded'],
      ['import', 'succeeded'],
    ]);
    expect(app.problems).toEqual([]);
  });

  it('cancels a running search and resumes it from its checkpoint', { timeout: 120_000 }, async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('radio', { name: /RONASMIS \/ ENAS/ }).check();
    await page.getByText('Advanced job settings').click();
    await page.getByLabel(/Extra job parameters/).fill(JSON.stringify({ maxControllerSteps: 50, finalSteps: 2, enas: { sharedSteps: 3, casesPerChild: 1, finalists: 1, controller: { childrenPerStep: 2 } } }));
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect.poll(() => page.getByTestId('job-status').textContent(), { timeout: 30_000 }).toBe('running');
    // Once a controller step is checkpointed, cancelling loses nothing finished.
    await expect.poll(() => page.getByRole('img', { name: /^Controller reward\. mean reward/ }).count(), { timeout: 60_000 }).toBe(1);
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect.poll(() => page.getByTestId('job-status').textContent(), { timeout: 30_000 }).toBe('cancelled');
    expect(await page.getByText('You cancelled this job. Resume continues from its last checkpoint with the same settings.').isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await expect.poll(() => page.getByTestId('job-status').textContent(), { timeout: 30_000 }).toMatch(/^(queued|running)$/);
    await expect.poll(() => page.getByText(/enas: search resumed/).count(), { timeout: 60_000 }).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect.poll(() => page.getByTestId('job-status').textContent(), { timeout: 30_000 }).toBe('cancelled');
    expect(app.problems).toEqual([]);
  });

  it('refuses a broken dataset with the reason', { timeout: 90_000 }, async () => {
    const { page } = app;
    const broken = join(app.work, 'broken-sample');
    cpSync(SAMPLE_DIR, broken, { recursive: true });
    rmSync(join(broken, 'labelsTr', 'hippocampus_008.nii.gz'));
    await page.getByRole('button', { name: 'Datasets', exact: true }).click();
    await page.getByLabel('Workspace folder', { exact: true }).fill(join(app.work, 'workspaces', 'broken'));
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByLabel('Dataset folder', { exact: true }).fill(broken);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 60_000 }).toMatch(/nothing was imported.*hippocampus_008/);
    await screenshot(page, 'datasets-broken');
  });

  it('lists warnings with what to do, filtered by severity and by words', { timeout: 90_000 }, async () => {
    const { page } = app;
    // A file no case lists: a warning, which does not block the import.
    const warned = join(app.work, 'warned-sample');
    cpSync(SAMPLE_DIR, warned, { recursive: true });
    cpSync(join(warned, 'imagesTr', 'hippocampus_004.nii.gz'), join(warned, 'imagesTr', 'old_copy.nii.gz'));
    await page.getByLabel('Workspace folder', { exact: true }).fill(join(app.work, 'workspaces', 'warned'));
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByLabel('Dataset folder', { exact: true }).fill(warned);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => page.getByTestId('case-count').textContent(), { timeout: 60_000 }).toBe('10');
    const table = page.getByRole('table', { name: 'Issues by case' });
    await expect.poll(() => table.getByText('old_copy.nii.gz').count()).toBeGreaterThan(0);
    expect(await table.getByText('The file is not part of any case: add it to the dataset or move it out of the folder.').count()).toBeGreaterThan(0);
    await screenshot(page, 'datasets-report');
    await page.getByRole('radio', { name: /^Errors/ }).check();
    await expect.poll(() => page.getByText('No finding matches these filters.').isVisible()).toBe(true);
    await page.getByRole('radio', { name: /^Warnings/ }).check();
    await page.getByRole('searchbox').fill('no such words');
    await expect.poll(() => page.getByText(/^0 of \d+ findings shown$/).isVisible()).toBe(true);
  });
});
