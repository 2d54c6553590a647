import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetJson } from '../api/dataset.ts';
import { migrateDatasetJson } from '../api/dataset.ts';
import { migratePlansJson, type PlansJson } from '../api/plans.ts';
import type { Validated } from '../api/validation.ts';
import { InputError } from '../io/input-error.ts';

/** Reads one workspace JSON file through its migration; errors name the file and say what to do. */
async function readWorkspaceJson<T>(workspace: string, fileName: string, migrate: (document: unknown) => Validated<T>, hint: string): Promise<T> {
  const path = join(workspace, fileName);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InputError(path, 'does not exist', hint);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new InputError(path, `is not valid JSON (${(error as Error).message})`, hint);
  }
  const result = migrate(document);
  if (!result.ok) throw new InputError(path, `is not valid: ${result.errors.join('; ')}`, hint);
  return result.value;
}

export const readDatasetFile = (workspace: string): Promise<DatasetJson> =>
  readWorkspaceJson(workspace, 'dataset.json', migrateDatasetJson, "Run 'voxnas plan <dataset> -w <workspace>' first.");

export const readPlansFile = (workspace: string): Promise<PlansJson> =>
  readWorkspaceJson(workspace, 'plans.json', migratePlansJson, "Run 'voxnas plan <dataset> -w <workspace>' first.");
