import { readFile } from 'node:fs/promises';
import type { SearchSpace } from '../api/search-space.ts';
import { InputError } from '../io/input-error.ts';
import { validateSearchSpace } from './validate-space.ts';

/** Reads and validates a search-space file (resources/search-spaces/*.json); every problem is reported at once. */
export async function loadSearchSpace(path: string): Promise<SearchSpace> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InputError(path, 'cannot be read', 'Check the path of the search-space file (e.g. resources/search-spaces/ronasmis.json).');
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new InputError(path, `is not valid JSON (${(error as Error).message})`, 'Fix the JSON syntax.');
  }
  const result = validateSearchSpace(document);
  if (!result.ok) throw new InputError(path, `is not a valid search space: ${result.errors.join('; ')}`, 'Fix the fields named above.');
  return result.value;
}
