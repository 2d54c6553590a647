import { readFile } from 'node:fs/promises';
import type { Genome } from '../api/genome.ts';
import { InputError } from '../io/input-error.ts';
import { validateGenome } from './genome.ts';

/** Reads and validates a genome file; every problem is reported at once. */
export async function loadGenome(path: string): Promise<Genome> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InputError(path, 'cannot be read', 'Check the path of the genome file (e.g. resources/genomes/reference-unet.json).');
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new InputError(path, `is not valid JSON (${(error as Error).message})`, 'Fix the JSON syntax.');
  }
  const result = validateGenome(document);
  if (!result.ok) throw new InputError(path, `is not a valid genome: ${result.errors.join('; ')}`, 'Fix the fields named above.');
  return result.value;
}
