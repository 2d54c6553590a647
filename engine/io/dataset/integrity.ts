import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetCase } from '../../api/dataset.ts';
import { makeFinding, type IntegrityFinding, type IntegrityReport } from '../../api/integrity.ts';
import { mapBounded } from '../../runtime/bounded-pool.ts';
import { isInputError } from '../input-error.ts';
import { readVolume } from '../read-volume.ts';
import type { Volume } from '../volume.ts';
import { checkImageValues, checkLabelValues, compareGeometry, labelHistogram } from './case-checks.ts';
import type { DatasetListing } from './listing.ts';

/** A case's volumes, given to `onCase` while they are in memory. */
export interface CaseVolumes {
  images: Volume[];
  label: Volume | null;
}

export interface IntegrityOptions {
  /** Cases read at once (default 6): bounds memory, and overlaps file reading with decompression. */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
  /**
   * Called once per case whose files were all read, whose channel count is right and whose files
   * share one voxel grid: the place to measure the case (fingerprint) without reading it again.
   */
  onCase?(entry: DatasetCase, index: number, volumes: CaseVolumes): void;
}

interface CaseResult {
  findings: IntegrityFinding[];
  /** Channels in the image files, or null when an image could not be read. */
  channels: number | null;
  labelValues: number[];
  /** SHA-1 of the first image file's bytes, to find copies. */
  imageHash: string | null;
  /** Every file of the case was read. */
  allRead: boolean;
  volumes: CaseVolumes | null;
}

type FileRead = { volume: Volume; hash: string | null } | { finding: IntegrityFinding };

/** Reads one file; every failure (missing, not a file, unreadable, a reader bug) becomes a finding. */
async function readCaseFile(folder: string, file: string, caseId: string, hash: boolean): Promise<FileRead> {
  const path = join(folder, file);
  const where = { case: caseId, file };
  let isDirectory: boolean;
  try {
    const info = await stat(path);
    if (!info.isFile() && !info.isDirectory()) return { finding: makeFinding('unreadable-file', where, `${file} is not a regular file or folder`) };
    isDirectory = info.isDirectory();
  } catch {
    return { finding: makeFinding('missing-file', where, `${file} does not exist`) };
  }
  try {
    const [{ volume }, digest] = await Promise.all([readVolume(path), hash && !isDirectory ? readFile(path).then((bytes) => createHash('sha1').update(bytes).digest('hex')) : null]);
    return { volume, hash: digest };
  } catch (error) {
    const problem = isInputError(error) ? error.problem : error instanceof Error ? error.message : String(error);
    return { finding: makeFinding('unreadable-file', where, `${file} cannot be read: ${problem}`) };
  }
}

async function checkCase(listing: DatasetListing, entry: DatasetCase, expectedChannels: number | null): Promise<CaseResult> {
  const expected = (count: number) => (listing.channels !== null ? `but ${count} ${count === 1 ? 'is' : 'are'} declared` : `but the first case has ${count}`);
  const files = [...entry.images, ...(entry.label === null ? [] : [entry.label])];
  const reads = await Promise.all(files.map((file, index) => readCaseFile(listing.folder, file, entry.id, index === 0 && entry.images.length > 0)));
  const findings = reads.flatMap((read) => ('finding' in read ? [read.finding] : []));
  const images = reads.slice(0, entry.images.length).map((read) => ('volume' in read ? read.volume : null));
  const labelRead = entry.label === null ? null : reads[entry.images.length]!;
  const label = labelRead !== null && 'volume' in labelRead ? labelRead.volume : null;
  images.forEach((volume, index) => volume && findings.push(...checkImageValues(volume, { case: entry.id, file: entry.images[index]! })));
  let labelValues: number[] = [];
  if (label !== null) {
    const histogram = labelHistogram(label);
    labelValues = [...histogram.counts.keys()];
    findings.push(...checkLabelValues(histogram, label, listing.labels, { case: entry.id, file: entry.label! }));
  }
  const readImages = images.filter((volume): volume is Volume => volume !== null);
  const allImagesRead = readImages.length === entry.images.length && readImages.length > 0;
  const channels = allImagesRead ? readImages.reduce((sum, volume) => sum + volume.channels, 0) : null;
  let gridOk = allImagesRead && (entry.label === null || label !== null);
  if (channels !== null && expectedChannels !== null) {
    const perFile = entry.images.length > 1 ? entry.images.filter((_, index) => readImages[index]!.channels !== 1) : [];
    if (perFile.length > 0 || channels !== expectedChannels) {
      const detail = perFile.length > 0 ? `${perFile.join(', ')} should hold one channel each` : `the image holds ${channels} channel${channels === 1 ? '' : 's'}`;
      findings.push(makeFinding('channel-count-mismatch', { case: entry.id, file: entry.images[0]! }, `case ${entry.id}: ${detail}, ${expected(expectedChannels)}`));
      gridOk = false;
    }
  }
  const reference = images[0];
  if (reference) {
    const others = [...entry.images.slice(1).map((file, index) => ({ file, volume: images[index + 1] ?? null })), { file: entry.label, volume: label }];
    for (const { file, volume } of others) {
      if (file === null || volume === null) continue;
      const geometry = compareGeometry(reference, volume, { case: entry.id, file }, entry.images[0]!);
      findings.push(...geometry);
      if (geometry.some((finding) => finding.code === 'dims-mismatch')) gridOk = false;
    }
  }
  const first = reads[0];
  const imageHash = first !== undefined && entry.images.length > 0 && 'hash' in first ? first.hash : null;
  const allRead = reads.every((read) => 'volume' in read);
  return { findings, channels, labelValues, imageHash, allRead, volumes: gridOk ? { images: readImages, label } : null };
}

/** Byte-identical first image files: a warning on every case after the first of each group. */
function duplicateContent(listing: DatasetListing, results: CaseResult[]): void {
  const firstCase = new Map<string, string>();
  results.forEach((result, index) => {
    if (result.imageHash === null) return;
    const entry = listing.cases[index]!;
    const earlier = firstCase.get(result.imageHash);
    if (earlier === undefined) firstCase.set(result.imageHash, entry.id);
    else result.findings.push(makeFinding('duplicate-content', { case: entry.id, file: entry.images[0]! }, `${entry.images[0]} has the same bytes as the image of case ${earlier}`));
  });
}

/**
 * Checks every case of a listing (files exist and are readable, channel count, one voxel grid per
 * case, image and label values) with bounded concurrency. Never throws for bad files: each problem
 * is a finding. When the layout declares no channels (folder pair), the first readable case in
 * listing order sets the expected count, so the result does not depend on timing.
 */
export async function checkIntegrity(listing: DatasetListing, options: IntegrityOptions = {}): Promise<IntegrityReport> {
  const total = listing.cases.length;
  const results: CaseResult[] = new Array(total);
  let expectedChannels = listing.channels?.length ?? null;
  let done = 0;
  const run = async (index: number) => {
    options.signal?.throwIfAborted();
    const entry = listing.cases[index]!;
    const result = await checkCase(listing, entry, expectedChannels);
    results[index] = result;
    if (result.volumes !== null) options.onCase?.(entry, index, result.volumes);
    result.volumes = null; // let the voxels go
    done += 1;
    options.onProgress?.(done, total);
  };
  let start = 0;
  while (expectedChannels === null && start < total) {
    await run(start);
    expectedChannels = results[start]!.channels;
    start += 1;
  }
  const rest = Array.from({ length: total - start }, (_, offset) => start + offset);
  await mapBounded(rest, options.concurrency ?? 6, run);
  duplicateContent(listing, results);
  const findings = [...listing.findings, ...results.flatMap((result) => result.findings)];
  const labelValues = [...new Set(results.flatMap((result) => result.labelValues))].sort((a, b) => a - b);
  return {
    folder: listing.folder,
    layout: listing.layout,
    caseCount: total,
    readCases: results.filter((result) => result.allRead).length,
    channels: expectedChannels,
    labelValues,
    errors: findings.filter((finding) => finding.severity === 'error').length,
    warnings: findings.filter((finding) => finding.severity === 'warning').length,
    findings,
  };
}
