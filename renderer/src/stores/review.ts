import { defineStore } from 'pinia';
import type { JobInfo, ModelSummary } from '../../../main/contract/index.ts';
import type { ReviewMetrics } from '../../../main/contract/review.ts';
import { defaultColors, type OverlayLayer } from '../components/viewer/label-colors.ts';
import { useApi } from './api.ts';
import { useDatasetsStore } from './datasets.ts';
import { followJob, isFinished, type FollowedJob } from './follow-job.ts';

/**
 * The Review section: a model of the workspace, its evaluation on the fold's validation cases (an
 * 'evaluate' job writes it; listed worst case first), the case shown in the viewer and how its
 * overlays look. Plain data only: the viewer composable (components/viewer/use-viewer.ts) owns the
 * Cornerstone objects and reports back through `viewerLoaded` / `viewerFailed`.
 */

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface OverlaySettings {
  visible: boolean;
  /** Fill opacity, 0..1. */
  opacity: number;
}

/** What the viewer shows: the workspace, the case, and the model whose prediction to overlay (null: image and ground truth only). */
export interface ViewerRequest {
  workspace: string;
  caseId: string;
  modelId: string | null;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Not state: the evaluate job being followed (timers and a subscription). */
let followed: (FollowedJob & { jobId: string }) | null = null;

export const useReviewStore = defineStore('review', {
  state: () => ({
    models: [] as ModelSummary[],
    modelsStatus: 'idle' as LoadStatus,
    modelId: null as string | null,
    metrics: null as ReviewMetrics | null,
    metricsStatus: 'idle' as LoadStatus,
    /** The model's latest evaluate job (running, or how it ended). */
    job: null as JobInfo | null,
    caseId: null as string | null,
    /** Whether the case is shown with the model's prediction (false for a case opened from Datasets). */
    withPrediction: false,
    viewerStatus: 'empty' as 'empty' | 'loading' | 'ready' | 'error',
    viewerMessage: null as string | null,
    /** Label values found in the shown case's label maps. */
    caseLabels: [] as number[],
    hasTruth: false,
    hasPrediction: false,
    overlay: { truth: { visible: true, opacity: 0.5 }, prediction: { visible: true, opacity: 0.5 } } as Record<OverlayLayer, OverlaySettings>,
    colors: defaultColors([1, 2, 3, 4, 5]),
    windowPresetId: 'auto',
    error: null as string | null,
  }),
  getters: {
    workspace: (): string | null => useDatasetsStore().workspace?.folder ?? null,
    model: (state) => state.models.find((model) => model.modelId === state.modelId) ?? null,
    evaluating: (state) => state.job !== null && !isFinished(state.job),
    /** Label value -> name: the evaluation's, else dataset.json's (via the Datasets screen). */
    labelNames(state): Record<string, string> {
      if (state.metrics) return Object.fromEntries(state.metrics.labels.map((label) => [String(label.value), label.name]));
      return useDatasetsStore().summary?.labels ?? {};
    },
    viewerRequest(state): ViewerRequest | null {
      const workspace = useDatasetsStore().workspace?.folder;
      if (!workspace || !state.caseId) return null;
      return { workspace, caseId: state.caseId, modelId: state.withPrediction ? state.modelId : null };
    },
  },
  actions: {
    /** Reads the workspace's models; keeps the chosen one, else chooses the newest. */
    async refresh() {
      const workspace = this.workspace;
      if (!workspace) return;
      this.modelsStatus = 'loading';
      this.error = null;
      try {
        this.models = await useApi().invoke('models.list', { workspace });
        this.modelsStatus = 'ready';
      } catch (error) {
        this.modelsStatus = 'error';
        this.error = messageOf(error);
        return;
      }
      const keep = this.models.some((model) => model.modelId === this.modelId);
      const next = keep ? this.modelId : (this.models[0]?.modelId ?? null);
      if (next !== null) await this.selectModel(next);
      else this.modelId = null;
    },

    /** Shows a model's evaluation, and follows its evaluate job if one is still running (e.g. after a reload). */
    async selectModel(modelId: string) {
      const workspace = this.workspace;
      if (!workspace) return;
      if (modelId !== this.modelId) {
        followed?.stop();
        followed = null;
        this.job = null;
        this.metrics = null;
        if (this.withPrediction) this.closeCase();
      }
      this.modelId = modelId;
      await this.loadMetrics();
      try {
        const jobs = await useApi().invoke('jobs.list', { workspace });
        const latest = jobs.find((job) => job.kind === 'evaluate' && job.params['modelId'] === modelId);
        if (!latest || followed?.jobId === latest.id) return;
        if (isFinished(latest)) this.job = latest;
        else this.follow(latest);
      } catch (error) {
        this.error = messageOf(error);
      }
    },

    async loadMetrics() {
      const workspace = this.workspace;
      if (!workspace || !this.modelId) return;
      this.metricsStatus = 'loading';
      try {
        this.metrics = await useApi().invoke('review.metrics', { workspace, modelId: this.modelId });
        this.metricsStatus = 'ready';
      } catch (error) {
        this.metricsStatus = 'error';
        this.error = messageOf(error);
      }
    },

    /** Starts the evaluate job of the chosen model and follows it; the table fills when it ends. */
    async evaluate() {
      const workspace = this.workspace;
      if (!workspace || !this.modelId || this.evaluating) return;
      this.error = null;
      try {
        this.follow(await useApi().invoke('review.evaluate', { workspace, modelId: this.modelId }));
      } catch (error) {
        this.error = messageOf(error);
      }
    },

    follow(job: JobInfo) {
      followed?.stop();
      this.job = job;
      const current = followJob(useApi(), job, (update) => {
        if (update.id === this.job?.id) this.job = update;
      });
      followed = { ...current, jobId: job.id };
      current.done.then(
        async (final) => {
          if (followed?.done !== current.done) return;
          followed = null;
          if (final.status === 'succeeded') await this.loadMetrics();
          else this.error = final.error ?? `The evaluation ended as ${final.status}.`;
        },
        (error: unknown) => {
          if (followed?.done === current.done) this.error = messageOf(error);
        },
      );
    },

    async cancelEvaluation() {
      if (!this.job || !this.evaluating) return;
      try {
        await useApi().invoke('jobs.cancel', { jobId: this.job.id });
      } catch (error) {
        this.error = messageOf(error);
      }
    },

    /** Shows a case of the evaluation: image, ground truth and the model's prediction. */
    openCase(caseId: string) {
      this.caseId = caseId;
      this.withPrediction = this.modelId !== null && (this.metrics?.cases.some((entry) => entry.caseId === caseId) ?? false);
      this.viewerStatus = 'loading';
      this.viewerMessage = null;
    },

    /** Shows a dataset case without a model (image and ground truth), e.g. from the Datasets screen. */
    openDatasetCase(caseId: string) {
      this.caseId = caseId;
      this.withPrediction = false;
      this.viewerStatus = 'loading';
      this.viewerMessage = null;
    },

    closeCase() {
      this.caseId = null;
      this.withPrediction = false;
      this.viewerStatus = 'empty';
      this.viewerMessage = null;
    },

    viewerLoaded(loaded: { labels: number[]; hasTruth: boolean; hasPrediction: boolean; message: string | null }) {
      this.viewerStatus = 'ready';
      this.caseLabels = loaded.labels;
      this.hasTruth = loaded.hasTruth;
      this.hasPrediction = loaded.hasPrediction;
      this.viewerMessage = loaded.message;
      const missing = loaded.labels.filter((value) => this.colors.truth[String(value)] === undefined);
      if (missing.length > 0) {
        const added = defaultColors(missing);
        this.colors = { truth: { ...added.truth, ...this.colors.truth }, prediction: { ...added.prediction, ...this.colors.prediction } };
      }
    },

    viewerFailed(message: string) {
      this.viewerStatus = 'error';
      this.viewerMessage = message;
    },
  },
});
