/**
 * The Review and Models screens' commands (main/contract/review.ts): a model's evaluation as the
 * 'evaluate' job wrote it (predictions/<modelId>/metrics.json), worst case first, with the label
 * names of dataset.json; the job that writes it; a model's export facts (models.ts); the native
 * save dialog, which only the Electron app can show (passed in, like the folder dialog).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isInputError, parseMetricsReport, readDatasetFile, type MetricsReport } from '../../engine/index.ts';
import { ContractError } from '../contract/errors.ts';
import type { ReviewCase, ReviewCommands, ReviewMetrics } from '../contract/review.ts';
import type { JobService } from './job-port.ts';
import { isRecord, readJsonOrNull } from './json-files.ts';
import type { Models } from './models.ts';
import type { Workspaces } from './workspaces.ts';

export type ReviewHandlers = { [K in keyof ReviewCommands]: (request: ReviewCommands[K]['request']) => Promise<ReviewCommands[K]['response']> };

export interface ReviewDependencies {
  workspaces: Workspaces;
  jobs: JobService;
  models: Models;
  /** The native save dialog (Electron); absent in browser mode. */
  chooseSaveFile?: ((title?: string, defaultName?: string) => Promise<string | null>) | undefined;
}

/** Why browser mode cannot show a save dialog, and what the UI offers instead. */
export const NO_SAVE_DIALOG = 'A browser cannot choose where the machine that runs VoxNAS saves files: type the absolute path of the .onnx file instead.';

const finite = (value: number): number | null => (Number.isFinite(value) ? value : null);

/** Mean of the values that apply (non-null); null when none does. */
function meanOf(values: (number | null)[]): number | null {
  const counted = values.filter((value): value is number => value !== null);
  return counted.length === 0 ? null : counted.reduce((sum, value) => sum + value, 0) / counted.length;
}

/** Worst mean Dice first; cases where no label applies last; ties by case id. */
export function worstFirst(a: ReviewCase, b: ReviewCase): number {
  if (a.meanDice === null || b.meanDice === null) return (a.meanDice === null ? 1 : 0) - (b.meanDice === null ? 1 : 0) || a.caseId.localeCompare(b.caseId);
  return a.meanDice - b.meanDice || a.caseId.localeCompare(b.caseId);
}

/** A metrics report as the Review screen lists it: Dice only, NaN as null, worst case first. */
export function reviewMetricsOf(report: MetricsReport, context: { modelId: string; fold: ReviewMetrics['fold']; labelNames: Record<string, string>; evaluatedAt: string }): ReviewMetrics {
  const cases = report.cases.map((entry): ReviewCase => {
    const dice = Object.fromEntries(report.labels.map((label) => [String(label), finite(entry.labels[String(label)]!.dice)]));
    return { caseId: entry.caseId, dice, meanDice: meanOf(Object.values(dice)) };
  });
  return {
    modelId: context.modelId,
    fold: context.fold,
    labels: report.labels.map((value) => ({ value, name: context.labelNames[String(value)] ?? `label ${value}` })),
    cases: cases.sort(worstFirst),
    meanPerLabel: Object.fromEntries(report.labels.map((label) => [String(label), finite(report.meanPerLabel[String(label)]!.dice)])),
    meanDice: finite(report.mean.dice),
    evaluatedAt: context.evaluatedAt,
  };
}

/** Label value -> name from dataset.json; empty when it cannot be read (the values are shown instead). */
async function labelNamesOf(workspace: string): Promise<Record<string, string>> {
  try {
    return (await readDatasetFile(workspace)).labels;
  } catch (error) {
    if (isInputError(error)) return {};
    throw error;
  }
}

async function trainedFold(modelFolder: string): Promise<ReviewMetrics['fold']> {
  const metrics = await readJsonOrNull(join(modelFolder, 'metrics.json'), '').catch(() => null);
  const fold = isRecord(metrics) ? metrics['fold'] : null;
  return fold === 'all' || (typeof fold === 'number' && Number.isInteger(fold)) ? fold : null;
}

export function createReviewHandlers(dependencies: ReviewDependencies): ReviewHandlers {
  const { workspaces, jobs, models } = dependencies;

  /** The workspace folder after checking the model exists (models.describe says not-found otherwise). */
  async function checkedModel(workspace: string, modelId: string): Promise<string> {
    const folder = await workspaces.check(workspace);
    if (!(await stat(join(folder, 'models', modelId)).then((info) => info.isDirectory(), () => false))) {
      throw new ContractError('not-found', `${folder} has no model '${modelId}' (no folder ${join(folder, 'models', modelId)}). Choose a model listed by models.list, or train one first.`);
    }
    return folder;
  }

  return {
    async 'review.metrics'({ workspace, modelId }) {
      const folder = await checkedModel(workspace, modelId);
      const path = join(folder, 'predictions', modelId, 'metrics.json');
      const document = await readJsonOrNull(path, 'Evaluate the model again to rewrite it.');
      if (document === null) return null;
      const report = parseMetricsReport(document);
      if (!report.ok) throw new ContractError('failed', `${path} is not an evaluation VoxNAS can read (${report.errors.join('; ')}). Evaluate the model again to rewrite it.`);
      const [fold, labelNames, written] = await Promise.all([trainedFold(join(folder, 'models', modelId)), labelNamesOf(folder), stat(path)]);
      return reviewMetricsOf(report.value, { modelId, fold, labelNames, evaluatedAt: written.mtime.toISOString() });
    },

    async 'review.evaluate'({ workspace, modelId }) {
      const folder = await checkedModel(workspace, modelId);
      return jobs.start(folder, 'evaluate', { modelId });
    },

    'models.describe': ({ workspace, modelId }) => models.describe(workspace, modelId),

    async 'dialog.chooseSaveFile'({ title, defaultName }) {
      if (!dependencies.chooseSaveFile) return { path: null, reason: NO_SAVE_DIALOG };
      return { path: await dependencies.chooseSaveFile(title, defaultName) };
    },
  };
}
