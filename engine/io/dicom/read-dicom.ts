import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError, isInputError } from '../input-error.ts';
import type { Volume } from '../volume.ts';
import type { Vec3 } from '../volume.ts';
import { cross, framePlane, imagePlane, normalize, TAG } from './dicom-geometry.ts';
import { listDicomdirFiles } from './dicomdir.ts';
import { parseDicomFile, type ParsedDicom } from './parse.ts';
import { decodePixelData } from './pixel-data.ts';
import { isSegmentation, readSegmentation } from './seg.ts';
import { stackPlanes, type Plane } from './stack-planes.ts';

export interface DicomReadOptions {
  /** Which series to read when a folder holds several. */
  seriesInstanceUid?: string;
  /** For a DICOM-SEG: the image series (folder) it was drawn on, whose grid the labels are put on. */
  referenceSeries?: string;
}

/** At most this many files are looked at in one folder tree (a guard against pointing at a whole disk). */
const MAX_FILES = 20_000;
const MAX_DEPTH = 8;

async function listFiles(folder: string, depth = 0, found: string[] = []): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(folder, entry.name);
    // Symbolic links count as what they point to (broken links are skipped).
    const target = entry.isSymbolicLink() ? await stat(path).catch(() => null) : entry;
    if (target?.isDirectory() && depth < MAX_DEPTH) await listFiles(path, depth + 1, found);
    else if (target?.isFile()) found.push(path);
    if (found.length > MAX_FILES) {
      throw new InputError(folder, `holds more than ${MAX_FILES} files`, 'Point VoxNAS at the folder of one study or series, not a whole archive.');
    }
  }
  return found;
}

/** Runs `task` over `items` with at most `limit` at a time, keeping order. */
async function mapLimited<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  });
  await Promise.all(workers);
  return results;
}

const DICOMDIR_SOP_CLASS = '1.2.840.10008.1.3.10';
const MEDIA_STORAGE_SOP_CLASS = 'x00020002';
const DIRECTORY_RECORD_SEQUENCE = 'x00041220';

/** A DICOMDIR says so in its meta header (Media Storage SOP Class), rarely in the data set. */
function isDicomdir(parsed: ParsedDicom): boolean {
  return (
    parsed.meta?.string(MEDIA_STORAGE_SOP_CLASS)?.replace(/\0/g, '').trim() === DICOMDIR_SOP_CLASS ||
    parsed.dataSet.string(TAG.sopClassUid) === DICOMDIR_SOP_CLASS ||
    parsed.dataSet.elements[DIRECTORY_RECORD_SEQUENCE] !== undefined
  );
}

function isMosaic(parsed: ParsedDicom): boolean {
  return (parsed.dataSet.string(TAG.imageType) ?? '').toUpperCase().split('\\').includes('MOSAIC');
}

function refuseMosaic(path: string): never {
  throw new InputError(
    path,
    'is a Siemens MOSAIC image (several slices tiled into one 2D image), which VoxNAS does not unpack',
    'Convert the series to NIfTI with dcm2niix, then import the NIfTI file.',
  );
}

const GRID_FRAME_OFFSET_VECTOR = 'x3004000c';

/**
 * Frames of one multi-frame file that carry no usable positions of their own get them here:
 * RT Dose frames from GridFrameOffsetVector (offsets along the normal from ImagePositionPatient);
 * other frames (cine, frames all at one position) are stacked in file order one slice step apart.
 */
function placeFrames(planes: Plane[], parsed: ParsedDicom, path: string): string[] {
  const first = planes[0]!.geometry;
  const distinct = new Set(planes.map((plane) => plane.geometry.position?.map((value) => value.toFixed(4)).join(',') ?? 'none'));
  if (planes.length < 2 || (distinct.size === planes.length && !distinct.has('none'))) return [];
  const [row, column] = first.orientation ?? [[1, 0, 0] as Vec3, [0, 1, 0] as Vec3];
  const normal = normalize(cross(row, column));
  const origin = first.position ?? ([0, 0, 0] as Vec3);
  const offsets = parsed.numbers(GRID_FRAME_OFFSET_VECTOR);
  const useOffsets = offsets.length === planes.length;
  const step = first.spacingBetweenSlices ?? first.sliceThickness ?? 1;
  planes.forEach((plane, frame) => {
    const distance = useOffsets ? offsets[frame]! : frame * step;
    plane.geometry = { ...plane.geometry, position: [0, 1, 2].map((axis) => origin[axis]! + normal[axis]! * distance) as Vec3 };
  });
  return useOffsets ? [] : [`${path}: its ${planes.length} frames share one position (a time series or cine?); they are stacked in file order ${step} mm apart.`];
}

/** The planes of one file: one for a classic image, one per frame for a multi-frame image. */
async function planesOfFile(parsed: ParsedDicom, path: string): Promise<{ planes: Plane[]; warnings: string[] }> {
  if (isMosaic(parsed)) refuseMosaic(path);
  const pixels = await decodePixelData(parsed);
  const perFrame = pixels.rows * pixels.columns * pixels.samplesPerPixel;
  const enhanced = parsed.dataSet.elements[TAG.perFrameFunctionalGroups] !== undefined || parsed.dataSet.elements[TAG.sharedFunctionalGroups] !== undefined;
  const planes = Array.from({ length: pixels.frames }, (_unused, frame) => ({
    label: pixels.frames > 1 ? `${path}#frame${frame + 1}` : path,
    geometry: enhanced ? framePlane(parsed.dataSet, frame) : imagePlane(parsed.dataSet),
    rows: pixels.rows,
    columns: pixels.columns,
    samplesPerPixel: pixels.samplesPerPixel,
    stored: pixels.data.subarray(frame * perFrame, (frame + 1) * perFrame),
    sourceDtype: pixels.sourceDtype,
  }));
  return { planes, warnings: placeFrames(planes, parsed, path) };
}

interface SeriesGroup {
  uid: string;
  description: string;
  files: { path: string; parsed: ParsedDicom }[];
}

function describeSeries(groups: SeriesGroup[]): string {
  return groups.map((group) => `${group.uid} (${group.files.length} file(s)${group.description ? `, "${group.description}"` : ''})`).join('; ');
}

/** Reads the series in a folder (or listed by a DICOMDIR); several series need a choice. */
async function readSeriesFolder(source: string, files: string[], options: DicomReadOptions): Promise<{ volume: Volume; warnings: string[] }> {
  const unreadable: string[] = [];
  const parsedFiles = await mapLimited(files, 8, async (path) => {
    try {
      return { path, parsed: await parseDicomFile(path) };
    } catch (error) {
      if (!isInputError(error)) throw error;
      unreadable.push(basename(path));
      return null;
    }
  });
  const groups = new Map<string, SeriesGroup>();
  for (const file of parsedFiles) {
    if (!file) continue;
    const { dataSet } = file.parsed;
    if (isDicomdir(file.parsed) || !dataSet.elements[TAG.pixelData]) continue;
    const uid = dataSet.string(TAG.seriesInstanceUid) ?? `(no SeriesInstanceUID) ${dirname(file.path)}`;
    const group = groups.get(uid) ?? { uid, description: dataSet.string(TAG.seriesDescription) ?? '', files: [] };
    group.files.push(file);
    groups.set(uid, group);
  }
  const skipped = unreadable.length > 0 ? ` (${unreadable.length} file(s) were not DICOM: ${unreadable.slice(0, 3).join(', ')}${unreadable.length > 3 ? ', …' : ''})` : '';
  if (groups.size === 0) {
    throw new InputError(source, `holds no DICOM images with pixel data${skipped}`, 'Point VoxNAS at the folder that holds the image files of the series.');
  }
  let chosen: SeriesGroup | undefined;
  if (options.seriesInstanceUid) {
    chosen = groups.get(options.seriesInstanceUid);
    if (!chosen) throw new InputError(source, `has no series ${options.seriesInstanceUid}; it holds ${describeSeries([...groups.values()])}`, 'Pick one of these with --series <SeriesInstanceUID>.');
  } else if (groups.size > 1) {
    throw new InputError(source, `holds ${groups.size} series: ${describeSeries([...groups.values()])}`, 'Pick one with --series <SeriesInstanceUID>, or put each series in its own folder.');
  } else {
    chosen = [...groups.values()][0]!;
  }
  const perFile = await Promise.all(chosen.files.map((file) => planesOfFile(file.parsed, file.path)));
  const result = stackPlanes(
    perFile.flatMap((file) => file.planes),
    source,
  );
  result.warnings.unshift(...perFile.flatMap((file) => file.warnings));
  if (skipped) result.warnings.push(`${source}: ignored${skipped.slice(1, -1)}`);
  return result;
}

/**
 * Reads DICOM: a single file (single- or multi-frame), a folder (recursively; one series, or the one
 * chosen with `seriesInstanceUid`), or a DICOMDIR file (the files it lists).
 */
export async function readDicomVolume(path: string, options: DicomReadOptions = {}): Promise<Volume> {
  return (await readDicomWithWarnings(path, options)).volume;
}

export async function readDicomWithWarnings(path: string, options: DicomReadOptions = {}): Promise<{ volume: Volume; warnings: string[] }> {
  if ((await stat(path)).isDirectory()) {
    const dicomdir = join(path, 'DICOMDIR');
    const listed = await stat(dicomdir).then(
      () => listDicomdirFiles(dicomdir),
      () => null,
    );
    return readSeriesFolder(path, listed ?? (await listFiles(path)), options);
  }
  const parsed = await parseDicomFile(path);
  if (isDicomdir(parsed)) return readSeriesFolder(path, await listDicomdirFiles(path), options);
  if (isSegmentation(parsed)) {
    const reference = options.referenceSeries ? await readDicomWithWarnings(options.referenceSeries, { ...options, referenceSeries: undefined }) : undefined;
    const segmentation = await readSegmentation(parsed, path, reference?.volume);
    return { volume: segmentation.volume, warnings: [...(reference?.warnings ?? []), ...segmentation.warnings] };
  }
  if (!parsed.dataSet.elements[TAG.pixelData]) {
    throw new InputError(path, 'is a DICOM file without pixel data (e.g. a report, structure set or header-only file)', 'Give the image files of the series instead.');
  }
  const { planes, warnings } = await planesOfFile(parsed, path);
  const result = stackPlanes(planes, path);
  return { volume: result.volume, warnings: [...warnings, ...result.warnings] };
}
