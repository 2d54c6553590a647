/**
 * Models: list <workspace>/models/<modelId>/ folders (metrics.json, a genome summary with the
 * parameter count, whether model.onnx exists), describe one (its model.onnx header and metadata, model card, parity check)
 * and start 'export' jobs. Files are shown as written by training; a folder without readable files
 * still appears, with nulls, so the user sees what is there.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeGenome, networkCost, readOnnxHeader, validateGenome } from '../../engine/index.ts';
import { ContractError } from '../contract/errors.ts';
import type { JobInfo, ModelSummary } from '../contract/index.ts';
import type { ModelDescription } from '../contract/review.ts';
import { isSafeId } from '../contract/schemas.ts';
import type { JobService } from './job-port.ts';
import { isRecord, readJsonOrNull } from './json-files.ts';
import { localPath, type Workspaces } from './workspaces.ts';

export interface Models {
  list(workspace: string): Promise<ModelSummary[]>;
  describe(workspace: string, modelId: string): Promise<ModelDescription>;
  export(workspace: string, modelId: string, destination?: string): Promise<JobInfo>;
}

/** A model card is a page of text; anything larger is not one of ours. */
const MODEL_CARD_LIMIT = 256 * 1024;

const modifiedAt = (path: string) => stat(path).then((info) => info.mtime.toISOString(), () => null);

const isNumberList = (value: unknown): value is number[] => Array.isArray(value) && value.every((item) => typeof item === 'number');

/** A file that cannot be parsed reads as absent: one broken model must not hide the others. */
async function readRecord(path: string): Promise<Record<string, unknown> | null> {
  const document = await readJsonOrNull(path, '').catch(() => null);
  return isRecord(document) ? document : null;
}

/**
 * The network's parameter count from its genome and the model's plans.json (input channels and
 * classes), by the engine's cost model; null when either file does not say.
 */
function countParameters(genome: Record<string, unknown> | null, plans: Record<string, unknown> | null): number | null {
  const valid = genome ? validateGenome(genome) : null;
  const dataset = plans?.['dataset'];
  const channels = isRecord(dataset) && Array.isArray(dataset['channels']) ? dataset['channels'].length : 0;
  const classes = Array.isArray(plans?.['labelValues']) ? plans['labelValues'].length : 0;
  if (!valid?.ok || channels === 0 || classes < 2) return null;
  const spec = decodeGenome(valid.value, { inputChannels: channels, classes });
  const cost = networkCost(spec, [spec.sizeDivisor, spec.sizeDivisor, spec.sizeDivisor], 1);
  return 'params' in cost ? cost.params : null;
}

async function describeModel(folder: string, modelId: string): Promise<ModelSummary> {
  const [metrics, genome, plans, hasOnnx] = await Promise.all([
    readRecord(join(folder, 'metrics.json')),
    readRecord(join(folder, 'genome.json')),
    readRecord(join(folder, 'plans.json')),
    stat(join(folder, 'model.onnx')).then((info) => info.isFile(), () => false),
  ]);
  const widths = genome && isNumberList(genome['widths']) ? genome['widths'] : null;
  const parameters = [metrics?.['parameters'], genome?.['parameters']].find((value): value is number => typeof value === 'number') ?? countParameters(genome, plans);
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

/** The header of model.onnx (no weights are decoded), or why it cannot be shown. */
async function describeOnnx(path: string): Promise<Pick<ModelDescription, 'onnx' | 'onnxProblem'>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return { onnx: null, onnxProblem: `${path} does not exist yet: export the model to write it.` };
  }
  try {
    const header = readOnnxHeader(bytes);
    const tensors = (list: typeof header.inputs) => list.map(({ name, shape }) => ({ name, shape }));
    return {
      onnx: {
        path,
        bytes: bytes.length,
        irVersion: header.irVersion,
        opsets: header.opsets,
        producer: [header.producerName, header.producerVersion].filter(Boolean).join(' '),
        inputs: tensors(header.inputs),
        outputs: tensors(header.outputs),
        metadata: header.metadata,
      },
      onnxProblem: null,
    };
  } catch (error) {
    return { onnx: null, onnxProblem: `${path} cannot be read: ${(error as Error).message}. Export the model again to rewrite it.` };
  }
}

function parityOf(metrics: Record<string, unknown> | null): ModelDescription['parity'] {
  const parity = metrics?.['onnxParity'];
  if (!isRecord(parity)) return null;
  const { maxAbsDifference, tolerance, passed } = parity;
  return typeof maxAbsDifference === 'number' && typeof tolerance === 'number' && typeof passed === 'boolean' ? { maxAbsDifference, tolerance, passed } : null;
}

async function readModelCard(path: string): Promise<string | null> {
  const size = await stat(path).then((info) => (info.isFile() ? info.size : null), () => null);
  if (size === null) return null;
  if (size > MODEL_CARD_LIMIT) return `(${path} is ${size} bytes: too large to show here; open it in a text editor.)`;
  return readFile(path, 'utf8');
}

export function createModels(workspaces: Workspaces, jobs: JobService): Models {
  /** models/<modelId>/ of a checked workspace; not-found when the model does not exist. */
  async function modelFolder(workspace: string, modelId: string): Promise<{ folder: string; model: string }> {
    const folder = await workspaces.check(workspace);
    const model = join(folder, 'models', modelId);
    if (!(await stat(model).then((info) => info.isDirectory(), () => false))) {
      throw new ContractError('not-found', `${folder} has no model '${modelId}' (no folder ${model}). Choose a model listed by models.list, or train one first.`);
    }
    return { folder, model };
  }

  return {
    async list(workspace) {
      const root = join(await workspaces.check(workspace), 'models');
      const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
      const ids = entries.filter((entry) => entry.isDirectory() && isSafeId(entry.name)).map((entry) => entry.name);
      const models = await Promise.all(ids.map((id) => describeModel(join(root, id), id)));
      // Newest first; models without a time last, by id.
      return models.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '') || a.modelId.localeCompare(b.modelId));
    },

    async describe(workspace, modelId) {
      const { model } = await modelFolder(workspace, modelId);
      const [onnx, modelCard, metrics] = await Promise.all([describeOnnx(join(model, 'model.onnx')), readModelCard(join(model, 'model-card.md')), readRecord(join(model, 'metrics.json'))]);
      return { modelId, ...onnx, modelCard, parity: parityOf(metrics) };
    },

    async export(workspace, modelId, destination) {
      const { folder } = await modelFolder(workspace, modelId);
      return jobs.start(folder, 'export', destination === undefined ? { modelId } : { modelId, destination: localPath(destination, 'destination') });
    },
  };
}
