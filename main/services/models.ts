/**
 * Models: list <workspace>/models/<modelId>/ folders (metrics.json, a genome summary, whether
 * model.onnx exists) and start 'export' jobs. Files are shown as written by training; a folder
 * without readable files still appears, with nulls, so the user sees what is there.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ContractError } from '../contract/errors.ts';
import type { JobInfo, ModelSummary } from '../contract/index.ts';
import { isSafeId } from '../contract/schemas.ts';
import type { JobService } from './job-port.ts';
import { isRecord, readJsonOrNull } from './json-files.ts';
import { localPath, type Workspaces } from './workspaces.ts';

export interface Models {
  list(workspace: string): Promise<ModelSummary[]>;
  export(workspace: string, modelId: string, destination?: string): Promise<JobInfo>;
}

const modifiedAt = (path: string) => stat(path).then((info) => info.mtime.toISOString(), () => null);

const isNumberList = (value: unknown): value is number[] => Array.isArray(value) && value.every((item) => typeof item === 'number');

/** A file that cannot be parsed reads as absent: one broken model must not hide the others. */
async function readRecord(path: string): Promise<Record<string, unknown> | null> {
  const document = await readJsonOrNull(path, '').catch(() => null);
  return isRecord(document) ? document : null;
}

async function describeModel(folder: string, modelId: string): Promise<ModelSummary> {
  const [metrics, genome, hasOnnx] = await Promise.all([
    readRecord(join(folder, 'metrics.json')),
    readRecord(join(folder, 'genome.json')),
    stat(join(folder, 'model.onnx')).then((info) => info.isFile(), () => false),
  ]);
  const widths = genome && isNumberList(genome['widths']) ? genome['widths'] : null;
  const parameters = [metrics?.['parameters'], genome?.['parameters']].find((value): value is number => typeof value === 'number') ?? null;
  const createdAt = typeof metrics?.['createdAt'] === 'string' ? metrics['createdAt'] : await modifiedAt(metrics ? join(folder, 'metrics.json') : folder);
  return {
    modelId,
    folder,
    metrics,
    genome: genome && { levels: widths?.length ?? null, widths, parameters },
    hasOnnx,
    createdAt,
  };
}

export function createModels(workspaces: Workspaces, jobs: JobService): Models {
  return {
    async list(workspace) {
      const root = join(await workspaces.check(workspace), 'models');
      const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
      const ids = entries.filter((entry) => entry.isDirectory() && isSafeId(entry.name)).map((entry) => entry.name);
      const models = await Promise.all(ids.map((id) => describeModel(join(root, id), id)));
      // Newest first; models without a time last, by id.
      return models.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '') || a.modelId.localeCompare(b.modelId));
    },

    async export(workspace, modelId, destination) {
      const folder = await workspaces.check(workspace);
      const modelFolder = join(folder, 'models', modelId);
      if (!(await stat(modelFolder).then((info) => info.isDirectory(), () => false))) {
        throw new ContractError('not-found', `${folder} has no model '${modelId}' (no folder ${modelFolder}). Choose a model listed by models.list, or train one first.`);
      }
      return jobs.start(folder, 'export', destination === undefined ? { modelId } : { modelId, destination: localPath(destination, 'destination') });
    },
  };
}
