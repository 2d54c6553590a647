import { createHash, randomBytes } from 'node:crypto';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { toTensorOrder } from '../../api/plans.ts';
import { migratePreprocessedCaseJson, type ClassLocations, type PreprocessedCaseJson, type SourceStamp } from '../../api/preprocessed.ts';
import { InputError } from '../../io/input-error.ts';
import type { PreprocessedCase } from './preprocess-case.ts';
import type { LabelArray } from './resample.ts';

const align4 = (offset: number) => Math.ceil(offset / 4) * 4;
const bytesOf = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

/**
 * Lays a preprocessed case out as one binary blob (image float32, label, class coordinates int32,
 * each at a multiple of 4 bytes, little-endian as every platform we run on) and its JSON header.
 */
export function encodeCase(preprocessed: PreprocessedCase, sources: SourceStamp[]): { record: PreprocessedCaseJson; bytes: Uint8Array } {
  const { record, image, label, locations } = preprocessed;
  const dims = record.grid.dims;
  const labelOffset = align4(image.byteLength);
  let end = label === null ? image.byteLength : align4(labelOffset + label.byteLength);
  const classLocations: ClassLocations[] = locations.map((entry) => {
    const offset = end;
    end += entry.coordinates.byteLength;
    return { classIndex: entry.classIndex, value: entry.value, voxels: entry.voxels, stored: entry.coordinates.length / 3, offset };
  });
  const bytes = new Uint8Array(end);
  bytes.set(bytesOf(image), 0);
  if (label !== null) bytes.set(bytesOf(label), labelOffset);
  locations.forEach((entry, index) => bytes.set(bytesOf(entry.coordinates), classLocations[index]!.offset));
  const [depth, height, width] = toTensorOrder(dims);
  return {
    record: {
      ...record,
      sources,
      arrays: {
        image: { offset: 0, dtype: 'float32', shape: [record.channels, depth, height, width] },
        label: label === null ? null : { offset: labelOffset, dtype: label instanceof Uint8Array ? 'uint8' : 'uint16', shape: [depth, height, width] },
      },
      classLocations,
      bytes: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    },
    bytes,
  };
}

export const caseFiles = (folder: string, caseId: string) => ({ bin: join(folder, `${caseId}.bin`), json: join(folder, `${caseId}.json`) });

/**
 * Replaces a file atomically (temporary file, then rename: readers never see a torn file) without
 * fsync. The cache is derived data and checked on reuse (size; readCase can verify the SHA-256), so
 * it does not pay runtime/atomic-write's two fsyncs per file, which cost ~6 ms a file here, 10x the write.
 */
async function replaceFile(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Writes the .bin, then the .json: a header on disk describes a complete .bin. */
export async function writeCase(folder: string, record: PreprocessedCaseJson, bytes: Uint8Array): Promise<void> {
  const files = caseFiles(folder, record.caseId);
  await replaceFile(files.bin, bytes);
  await replaceFile(files.json, `${JSON.stringify(record, null, 2)}\n`);
}

/** The header of a cached case, or null when it is missing or unreadable. */
export async function readCaseRecord(folder: string, caseId: string): Promise<PreprocessedCaseJson | null> {
  try {
    const parsed = migratePreprocessedCaseJson(JSON.parse(await readFile(caseFiles(folder, caseId).json, 'utf8')));
    return parsed.ok ? parsed.value : null;
  } catch {
    return null;
  }
}

/** True when the cached case was made for this dataId from exactly these source files, and its .bin is complete. */
export async function isCachedCaseValid(folder: string, caseId: string, dataId: string, sources: SourceStamp[]): Promise<boolean> {
  const record = await readCaseRecord(folder, caseId);
  if (record === null || record.dataId !== dataId) return false;
  if (JSON.stringify(record.sources) !== JSON.stringify(sources)) return false;
  try {
    return (await stat(caseFiles(folder, caseId).bin)).size === record.bytes;
  } catch {
    return false;
  }
}

export interface LoadedCase {
  record: PreprocessedCaseJson;
  /** [channel][k][j][i]. */
  image: Float32Array;
  /** [k][j][i] class indices, or null. */
  label: LabelArray | null;
  /** Class index -> stored (i, j, k) coordinates, flattened. */
  locations: Map<number, Int32Array>;
}

/** Reads a cached case (header + arrays); `verify` also checks the SHA-256. */
export async function readCase(folder: string, caseId: string, options: { verify?: boolean } = {}): Promise<LoadedCase> {
  const files = caseFiles(folder, caseId);
  const record = await readCaseRecord(folder, caseId);
  if (record === null) throw new InputError(files.json, 'is missing or not a valid preprocessed case header', "Run 'voxnas plan' again.");
  const buffer = await readFile(files.bin);
  if (buffer.byteLength !== record.bytes || (options.verify && createHash('sha256').update(buffer).digest('hex') !== record.sha256)) {
    throw new InputError(files.bin, 'does not match its header (size or checksum)', "Delete the case's files and run 'voxnas plan' again.");
  }
  // Copy into a fresh, aligned ArrayBuffer: Node's Buffer may share a pool at any offset.
  const bytes = new Uint8Array(buffer.byteLength);
  bytes.set(buffer);
  const { image: imageLayout, label: labelLayout } = record.arrays;
  const voxels = imageLayout.shape.reduce((product, size) => product * size, 1);
  const image = new Float32Array(bytes.buffer, imageLayout.offset, voxels);
  let label: LabelArray | null = null;
  if (labelLayout !== null) {
    const count = labelLayout.shape.reduce((product, size) => product * size, 1);
    label = labelLayout.dtype === 'uint8' ? new Uint8Array(bytes.buffer, labelLayout.offset, count) : new Uint16Array(bytes.buffer, labelLayout.offset, count);
  }
  const locations = new Map(record.classLocations.map((entry) => [entry.classIndex, new Int32Array(bytes.buffer, entry.offset, entry.stored * 3)]));
  return { record, image, label, locations };
}
