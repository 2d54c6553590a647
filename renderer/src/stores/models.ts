import { defineStore } from 'pinia';
import type { JobInfo, ModelSummary } from '../../../main/contract/index.ts';
import type { ModelDescription } from '../../../main/contract/review.ts';
import { useApi } from './api.ts';
import { useDatasetsStore } from './datasets.ts';
import { followJob, isFinished, type FollowedJob } from './follow-job.ts';

/**
 * The Models section: the workspace's trained models, one model's export facts (model.onnx header
 * and metadata, model card, parity), and 'Export ONNX' (an 'export' job) to a destination the user
 * chooses: the native save dialog in the desktop app, a typed path on the server in browser mode.
 */

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/** What an export job reports (engine/jobs/export-job.ts). */
export interface ExportOutcome {
  bytes: number | null;
  written: string[];
  parity: { maxAbsDifference: number; tolerance: number; passed: boolean; backend: string | null } | null;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The export job's result, checked field by field (it is JSON from the worker). */
export function exportOutcomeOf(result: Record<string, unknown> | null): ExportOutcome | null {
  if (!result) return null;
  const parity = result['parity'] as Record<string, unknown> | undefined;
  const written = Array.isArray(result['written']) ? result['written'].filter((path): path is string => typeof path === 'string') : [];
  const numbers = parity && typeof parity['maxAbsDifference'] === 'number' && typeof parity['tolerance'] === 'number' && typeof parity['passed'] === 'boolean';
  return {
    bytes: typeof result['bytes'] === 'number' ? result['bytes'] : null,
    written,
    parity: numbers
      ? { maxAbsDifference: parity['maxAbsDifference'] as number, tolerance: parity['tolerance'] as number, passed: parity['passed'] as boolean, backend: typeof parity['backend'] === 'string' ? parity['backend'] : null }
      : null,
  };
}

/** Why a typed destination cannot be used; null when it can. */
export function destinationProblem(path: string): string | null {
  const trimmed = path.trim();
  if (trimmed === '') return 'Choose where to save the .onnx file first.';
  if (!(trimmed.startsWith('/') || /^[A-Za-z]:[\\/]/.test(trimmed) || trimmed.startsWith('\\\\'))) return 'Type an absolute path (such as /home/me/models/hippocampus.onnx).';
  if (!trimmed.toLowerCase().endsWith('.onnx')) return 'The file name must end in .onnx.';
  return null;
}

/** Not state: the export job being followed. */
let followed: (FollowedJob & { jobId: string }) | null = null;

export const useModelsStore = defineStore('models', {
  state: () => ({
    models: [] as ModelSummary[],
    status: 'idle' as LoadStatus,
    selectedId: null as string | null,
    description: null as ModelDescription | null,
    describeStatus: 'idle' as LoadStatus,
    destination: '',
    exportJob: null as JobInfo | null,
    error: null as string | null,
    /** Why the save dialog could not open (browser mode). */
    notice: null as string | null,
  }),
  getters: {
    workspace: (): string | null => useDatasetsStore().workspace?.folder ?? null,
    selected: (state) => state.models.find((model) => model.modelId === state.selectedId) ?? null,
    exporting: (state) => state.exportJob !== null && !isFinished(state.exportJob),
    exportOutcome: (state) => (state.exportJob?.status === 'succeeded' ? exportOutcomeOf(state.exportJob.result) : null),
  },
  actions: {
    async refresh() {
      const workspace = this.workspace;
      if (!workspace) return;
      this.status = 'loading';
      this.error = null;
      try {
        this.models = await useApi().invoke('models.list', { workspace });
        this.status = 'ready';
      } catch (error) {
        this.status = 'error';
        this.error = messageOf(error);
        return;
      }
      const keep = this.models.some((model) => model.modelId === this.selectedId);
      const next = keep ? this.selectedId : (this.models[0]?.modelId ?? null);
      if (next) await this.select(next);
      else this.selectedId = null;
    },

    /** Shows one model's export facts and its latest export job (followed if still running). */
    async select(modelId: string) {
      const workspace = this.workspace;
      if (!workspace) return;
      if (modelId !== this.selectedId) {
        followed?.stop();
        followed = null;
        this.exportJob = null;
        this.description = null;
      }
      this.selectedId = modelId;
      await this.describe();
      try {
        const jobs = await useApi().invoke('jobs.list', { workspace });
        const latest = jobs.find((job) => job.kind === 'export' && job.params['modelId'] === modelId);
        if (!latest || followed?.jobId === latest.id) return;
        if (isFinished(latest)) this.exportJob = latest;
        else this.follow(latest);
      } catch (error) {
        this.error = messageOf(error);
      }
    },

    async describe() {
      const workspace = this.workspace;
      if (!workspace || !this.selectedId) return;
      this.describeStatus = 'loading';
      try {
        this.description = await useApi().invoke('models.describe', { workspace, modelId: this.selectedId });
        this.describeStatus = 'ready';
      } catch (error) {
        this.describeStatus = 'error';
        this.error = messageOf(error);
      }
    },

    /** The native save dialog; in browser mode says to type the path. */
    async chooseDestination() {
      this.notice = null;
      try {
        const chosen = await useApi().invoke('dialog.chooseSaveFile', { title: 'Export the model to ONNX', defaultName: `${this.selectedId ?? 'model'}.onnx` });
        if (chosen.path) this.destination = chosen.path;
        else if (chosen.reason) this.notice = chosen.reason;
      } catch (error) {
        this.error = messageOf(error);
      }
    },

    async exportModel() {
      const workspace = this.workspace;
      if (!workspace || !this.selectedId || this.exporting) return;
      const problem = destinationProblem(this.destination);
      if (problem) {
        this.error = problem;
        return;
      }
      this.error = null;
      this.notice = null;
      try {
        this.follow(await useApi().invoke('models.export', { workspace, modelId: this.selectedId, destination: this.destination.trim() }));
      } catch (error) {
        this.error = messageOf(error);
      }
    },

    follow(job: JobInfo) {
      followed?.stop();
      this.exportJob = job;
      const current = followJob(useApi(), job, (update) => {
        if (update.id === this.exportJob?.id) this.exportJob = update;
      });
      followed = { ...current, jobId: job.id };
      current.done.then(
        async (final) => {
          if (followed?.done !== current.done) return;
          followed = null;
          if (final.status === 'succeeded') await this.describe();
          else this.error = final.error ?? `The export ended as ${final.status}.`;
        },
        (error: unknown) => {
          if (followed?.done === current.done) this.error = messageOf(error);
        },
      );
    },
  },
});
