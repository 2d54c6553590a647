/**
 * `voxnas read` against nibabel / pydicom(+GDCM) on every real sample file (test/fixtures/reference,
 * made once by scripts/reference/make_reference.py; no Python is needed here).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../engine/cli/run-cli.ts';
import { requireSharedData } from '../../support/shared-data.ts';

interface Stats {
  min: number;
  max: number;
  sum: number;
  mean: number;
}
interface Entry {
  path: string;
  kind: 'nifti' | 'dicom-file' | 'dicom-series';
  readable: boolean;
  error?: string;
  dims?: number[];
  channels?: number;
  affine?: number[][];
  dtype?: string;
  stats?: Stats;
  statsRgb?: Stats;
  mosaic?: boolean;
  lossy?: boolean;
  seriesInstanceUID?: string;
  sopClass?: string;
}

/**
 * pydicom reads a DICOM-SEG's frames as a plain image (one frame per segment and position, stored
 * values); VoxNAS turns it into one label volume (see seg.test.ts, checked voxel for voxel against
 * dcmqi's reference label maps). The two are different quantities, so SEG files are not compared here.
 */
const SEGMENTATION_SOP_CLASSES = new Set(['1.2.840.10008.5.1.4.1.1.66.4', '1.2.840.10008.5.1.4.1.1.66.7']);

const data = requireSharedData();
const fixture = JSON.parse(readFileSync('test/fixtures/reference/samples.json', 'utf8')) as { entries: Entry[] };

async function voxnasRead(entry: Entry): Promise<{ code: number; report?: Record<string, unknown>; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const args = ['read', join(data, entry.path), '--json'];
  if (entry.kind === 'dicom-series' && entry.seriesInstanceUID) args.push('--series', entry.seriesInstanceUID);
  const code = await runCli(args, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } });
  return { code, stderr, ...(code === 0 ? { report: JSON.parse(stdout) } : {}) };
}

const near = (actual: number, expected: number, relative: number, absolute = 1e-6) =>
  Math.abs(actual - expected) <= Math.max(absolute, relative * Math.abs(expected));

/** What differs between our reading and the reference, as short strings (empty when they agree). */
function differences(entry: Entry, report: Record<string, unknown>): string[] {
  const found: string[] = [];
  const stats = report['stats'] as Stats;
  const expectedStats = entry.statsRgb ?? entry.stats!;
  // Lossy codecs differ between implementations by rounding in the inverse DCT / wavelet.
  const tolerance = entry.lossy ? { value: 0.02, absolute: 3 } : { value: 1e-5, absolute: 1e-4 };
  if (JSON.stringify(report['dims']) !== JSON.stringify(entry.dims)) found.push(`dims ${JSON.stringify(report['dims'])} != ${JSON.stringify(entry.dims)}`);
  if (report['channels'] !== entry.channels) found.push(`channels ${String(report['channels'])} != ${entry.channels}`);
  const affine = report['affine'] as number[][];
  if (!entry.affine!.every((row, r) => row.every((value, c) => Math.abs(affine[r]![c]! - value) <= 1e-4))) found.push(`affine ${JSON.stringify(affine)} != ${JSON.stringify(entry.affine)}`);
  for (const key of ['min', 'max'] as const) {
    if (!near(stats[key], expectedStats[key], tolerance.value, tolerance.absolute)) found.push(`${key} ${stats[key]} != ${expectedStats[key]}`);
  }
  if (!near(stats.mean, expectedStats.mean, entry.lossy ? 0.01 : 1e-5, 1e-6)) found.push(`mean ${stats.mean} != ${expectedStats.mean}`);
  if (!entry.lossy && !near(stats.sum, expectedStats.sum, 1e-5, 1e-3)) found.push(`sum ${stats.sum} != ${expectedStats.sum}`);
  return found;
}

describe('voxnas read matches nibabel / pydicom on the real samples', () => {
  const readable = fixture.entries.filter((entry) => entry.readable && !entry.mosaic && !SEGMENTATION_SOP_CLASSES.has(entry.sopClass ?? ''));
  const refused = fixture.entries.filter((entry) => !entry.readable || entry.mosaic);

  it(`reads ${readable.length} readable samples with the same dims, affine and values`, async () => {
    const mismatches: string[] = [];
    for (const entry of readable) {
      const result = await voxnasRead(entry);
      if (result.code !== 0) mismatches.push(`${entry.path}: exit ${result.code}: ${result.stderr.trim()}`);
      else for (const difference of differences(entry, result.report!)) mismatches.push(`${entry.path}: ${difference}`);
    }
    expect(mismatches).toEqual([]);
  }, 300_000);

  it(`refuses ${refused.length} broken, pixel-less and MOSAIC samples with exit code 2 and a one-line message`, async () => {
    const wrong: string[] = [];
    for (const entry of refused) {
      const result = await voxnasRead(entry);
      const lines = result.stderr.trim().split('\n');
      const message = lines[0] ?? '';
      const namesFile = message.includes(entry.path.split('/').pop()!);
      if (result.code !== 2 || lines.length !== 1 || !namesFile || (entry.mosaic && !message.includes('MOSAIC'))) {
        wrong.push(`${entry.path}: exit ${result.code}: ${result.stderr.trim()}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 300_000);
});
