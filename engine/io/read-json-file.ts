import { readFile } from 'node:fs/promises';
import type { Validated } from '../api/validation.ts';
import { InputError } from './input-error.ts';

/** How a JSON file kind words its problems. */
export interface JsonFileMessages {
  /** The problem when the file cannot be read, e.g. 'does not exist'. */
  unreadable: string;
  /** Names the kind in "is not a valid <kind>: ..." (e.g. 'genome'); omitted: "is not valid: ...". */
  kind?: string;
  /** What to do about a missing file (and, without the two below, about anything else). */
  hint: string;
  syntaxHint?: string;
  invalidHint?: string;
}

/**
 * Reads a JSON file and validates (or migrates) it: a missing file, bad JSON and every validation
 * error become one InputError naming the file and what to do.
 */
export async function readValidatedJson<T>(path: string, validate: (document: unknown) => Validated<T>, messages: JsonFileMessages): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InputError(path, messages.unreadable, messages.hint);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new InputError(path, `is not valid JSON (${(error as Error).message})`, messages.syntaxHint ?? messages.hint);
  }
  const result = validate(document);
  if (!result.ok) throw new InputError(path, `is not ${messages.kind ? `a valid ${messages.kind}` : 'valid'}: ${result.errors.join('; ')}`, messages.invalidHint ?? messages.hint);
  return result.value;
}
