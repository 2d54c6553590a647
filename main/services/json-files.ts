/**
 * The services' own small file helpers: read a JSON file (null when absent), write one atomically
 * (the engine's writeFileAtomic: temporary file in the same folder, fsync, rename), so that
 * recent.json and workspace.json are never half-written.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../engine/index.ts';
import { ContractError } from '../contract/errors.ts';

/** Parsed JSON of `path`, or null when the file does not exist; other problems name the file. */
export async function readJsonOrNull(path: string, whatToDo: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ContractError('failed', `${path} cannot be read (${(error as Error).message}). ${whatToDo}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ContractError('failed', `${path} is not valid JSON (${(error as Error).message}). ${whatToDo}`);
  }
}

/** Writes `value` as pretty JSON so that readers see the old file or the new one, never a mix. */
export const writeJsonAtomic = (path: string, value: unknown): Promise<void> => writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
