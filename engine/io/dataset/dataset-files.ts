import { readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, posix, relative } from 'node:path';
import { InputError } from '../input-error.ts';

/** File names that readVolume understands by name (NIfTI single files and pairs, DICOM files). */
const VOLUME_EXTENSION = /\.(nii\.gz|nii|hdr\.gz|hdr|img\.gz|img|dcm)$/i;
const PAIR_DATA = /\.img(\.gz)?$/i;

export interface FolderEntry {
  /** Path relative to the dataset folder, '/' separated. */
  path: string;
  name: string;
  isDirectory: boolean;
}

/** The file name without its volume extension: 'case_001.nii.gz' -> 'case_001'. */
export const volumeStem = (name: string): string => name.replace(VOLUME_EXTENSION, '');
export const isVolumeName = (name: string): boolean => VOLUME_EXTENSION.test(name);

/**
 * The entries of `<folder>/<sub>`, sorted by name; [] when it does not exist. Hidden files (macOS
 * `._x.nii.gz` forks, `.DS_Store`) and the .img half of a .hdr/.img pair (the pair is named by its
 * .hdr) are left out.
 */
export async function listEntries(folder: string, sub: string): Promise<FolderEntry[]> {
  let entries;
  try {
    entries = await readdir(join(folder, sub), { withFileTypes: true });
  } catch {
    return [];
  }
  const names = new Set(entries.map((entry) => entry.name.toLowerCase()));
  const isPairData = (name: string) => PAIR_DATA.test(name) && [name.replace(PAIR_DATA, '.hdr'), name.replace(PAIR_DATA, '.hdr.gz')].some((header) => names.has(header.toLowerCase()));
  return entries
    .filter((entry) => !entry.name.startsWith('.') && !isPairData(entry.name))
    .map((entry) => ({ path: sub === '' ? entry.name : `${sub}/${entry.name}`, name: entry.name, isDirectory: entry.isDirectory() }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A path from a dataset description, made relative to the dataset folder with '/' separators. */
export function relativeToFolder(folder: string, path: string): string {
  const plain = path.replaceAll('\\', '/');
  const inside = isAbsolute(plain) ? relative(folder, plain).replaceAll('\\', '/') : plain;
  return posix.normalize(inside).replace(/^\.\//, '');
}

/** Parses `<folder>/dataset.json`; null when there is none. Unparsable JSON is bad input. */
export async function readDatasetJson(folder: string): Promise<Record<string, unknown> | null> {
  const path = join(folder, 'dataset.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new InputError(path, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, 'Check the file permissions.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputError(path, `is not valid JSON (${(error as Error).message})`, 'Fix the syntax of dataset.json (a JSON validator shows where).');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InputError(path, 'is not a JSON object', 'dataset.json must be an object with the dataset description (MSD or nnU-Net v2).');
  }
  return parsed as Record<string, unknown>;
}
