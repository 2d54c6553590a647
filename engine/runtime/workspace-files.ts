import { join } from 'node:path';
import type { DatasetJson } from '../api/dataset.ts';
import { migrateDatasetJson } from '../api/dataset.ts';
import { migratePlansJson, type PlansJson } from '../api/plans.ts';
import type { Validated } from '../api/validation.ts';
import { readValidatedJson } from '../io/read-json-file.ts';

/** Reads one workspace JSON file through its migration; errors name the file and say what to do. */
const readWorkspaceJson = <T>(workspace: string, fileName: string, migrate: (document: unknown) => Validated<T>, hint: string): Promise<T> =>
  readValidatedJson(join(workspace, fileName), migrate, { unreadable: 'does not exist', hint });

export const readDatasetFile = (workspace: string): Promise<DatasetJson> =>
  readWorkspaceJson(workspace, 'dataset.json', migrateDatasetJson, "Run 'voxnas plan <dataset> -w <workspace>' first.");

export const readPlansFile = (workspace: string): Promise<PlansJson> =>
  readWorkspaceJson(workspace, 'plans.json', migratePlansJson, "Run 'voxnas plan <dataset> -w <workspace>' first.");
