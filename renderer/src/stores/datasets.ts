import { defineStore } from 'pinia';
import type { DatasetSummary, JobEvent, JobInfo, JobStatus, WorkspaceInfo } from '../../../main/contract/index.ts';
import { requireApi } from '../transport/index.ts';

/**
 * The Datasets section: open or create a workspace, import a dataset folder into it (an 'import'
 * job in the worker, followed through its job events), then show the integrity report the
 * workspace holds. State is plain data; the event subscription lives beside the store.
 */

const FINISHED: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled', 'interrupted'];
/** Events may be missed (the socket connects after the job starts, or drops): catch up this often. */
const CATCH_UP_MS = 2000;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Not state (a function and a timer): the job-event subscription, opened with the first workspace so
 * that the event socket is connected before an import starts, and the catch-up timer of the job being
 * followed.
 */
let unsubscribe: (() => void) | null = null;
let catchUpTimer: ReturnType<typeof setInterval> | null = null;

function stopCatchingUp(): void {
  if (catchUpTimer) clearInterval(catchUpTimer);
  catchUpTimer = null;
}

export const useDatasetsStore = defineStore('datasets', {
  state: () => ({
    /** What the user typed or chose. */
    workspaceFolder: '',
    sourceFolder: '',
    workspace: null as WorkspaceInfo | null,
    summary: null as DatasetSummary | null,
    job: null as JobInfo | null,
    /** Highest event seq applied to `job`. */
    lastSeq: 0,
    busy: null as null | 'workspace' | 'summary' | 'import',
    error: null as string | null,
    /** Why a folder dialog could not open (browser mode), shown next to the text fields. */
    notice: null as string | null,
  }),
  getters: {
    importing: (state) => state.job !== null && !FINISHED.includes(state.job.status),
  },
  actions: {
    /** Fills a folder field from the native dialog; in browser mode explains why to type the path. */
    async chooseFolder(field: 'workspaceFolder' | 'sourceFolder', title: string) {
      this.notice = null;
      try {
        const chosen = await requireApi().invoke('dialog.chooseFolder', { title });
        if (chosen.path) this[field] = chosen.path;
        else if (chosen.reason) this.notice = chosen.reason;
      } catch (error) {
        this.error = messageOf(error);
      }
    },

    async openWorkspace(create: boolean) {
      const folder = this.workspaceFolder.trim();
      if (!folder) {
        this.error = 'Type the absolute path of the workspace folder first.';
        return;
      }
      this.busy = 'workspace';
      this.error = null;
      this.notice = null;
      try {
        const api = requireApi();
        this.workspace = create ? await api.invoke('workspace.create', { folder }) : await api.invoke('workspace.open', { folder });
        this.workspaceFolder = this.workspace.folder;
        this.job = null;
        this.summary = null;
        stopCatchingUp();
        unsubscribe ??= api.subscribe('job.event', (event) => {
          if (event.jobId === this.job?.id) void this.applyEvents([event]);
        });
      } catch (error) {
        this.error = messageOf(error);
      } finally {
        this.busy = null;
      }
      if (this.workspace) await this.loadSummary();
    },

    async loadSummary() {
      if (!this.workspace) return;
      this.busy = 'summary';
      try {
        this.summary = await requireApi().invoke('dataset.get', { workspace: this.workspace.folder });
      } catch (error) {
        this.error = messageOf(error);
      } finally {
        this.busy = null;
      }
    },

    async importDataset() {
      const source = this.sourceFolder.trim();
      if (!this.workspace) return;
      if (!source) {
        this.error = 'Type the absolute path of the dataset folder (MSD, nnU-Net or images/ + labels/) first.';
        return;
      }
      this.busy = 'import';
      this.error = null;
      stopCatchingUp();
      try {
        const job = await requireApi().invoke('dataset.import', { workspace: this.workspace.folder, source });
        this.job = job;
        this.lastSeq = 0;
        if (FINISHED.includes(job.status)) {
          await this.finishJob(job.id);
          return;
        }
        catchUpTimer = setInterval(() => void this.catchUp(), CATCH_UP_MS);
        await this.catchUp();
      } catch (error) {
        this.error = messageOf(error);
      } finally {
        this.busy = null;
      }
    },

    /** Reads the events the live stream may have missed. */
    async catchUp() {
      const job = this.job;
      if (!job || FINISHED.includes(job.status)) return;
      try {
        await this.applyEvents(await requireApi().invoke('jobs.events', { jobId: job.id, since: this.lastSeq }));
      } catch (error) {
        this.error = messageOf(error);
      }
    },

    /** Applies the followed job's events in order, once each; on its end, loads the report or the error. */
    async applyEvents(events: JobEvent[]) {
      const job = this.job;
      if (!job) return;
      let finished = false;
      for (const event of events) {
        if (event.jobId !== job.id || event.seq <= this.lastSeq) continue;
        this.lastSeq = event.seq;
        if (event.type === 'status' && event.status) {
          job.status = event.status;
          finished = FINISHED.includes(event.status);
        } else if (event.type === 'progress') {
          job.progress = { fraction: event.fraction ?? null, message: event.message ?? job.progress.message, etaSeconds: event.etaSeconds ?? null };
        }
      }
      // Only the call that saw the job end finishes it (the live event and a catch-up may both carry it).
      if (!finished) return;
      stopCatchingUp();
      await this.finishJob(job.id);
    },

    async finishJob(jobId: string) {
      if (!this.workspace) return;
      try {
        const jobs = await requireApi().invoke('jobs.list', { workspace: this.workspace.folder });
        const final = jobs.find((candidate) => candidate.id === jobId);
        if (final) this.job = final;
        if (this.job?.status === 'succeeded') await this.loadSummary();
        else this.error = this.job?.error ?? `The import ended as ${this.job?.status}.`;
      } catch (error) {
        this.error = messageOf(error);
      }
    },
  },
});
