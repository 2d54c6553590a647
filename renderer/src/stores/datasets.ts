import { defineStore } from 'pinia';
import type { DatasetSummary, JobEvent, JobInfo, JobStatus, WorkspaceInfo } from '../../../main/contract/index.ts';
import type { DatasetDetails } from '../../../main/contract/search.ts';
import type { SeverityFilter } from '../components/datasets/integrity.ts';
import { useApi } from './api.ts';

/**
 * The Datasets section: open or create a workspace (the most recent one reopens after a reload),
 * import a dataset folder into it (an 'import' job), plan it (a 'plan' job), each followed through
 * its job events; then what the workspace holds: the summary (dataset.get) and the details
 * (dataset.details: fingerprint, findings with hints, plan). State is plain data; the event
 * subscription and the catch-up timer live beside the store.
 */

export const FINISHED: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled', 'interrupted'];
/** Events may be missed (the socket connects after the job starts, or drops): catch up this often. */
const CATCH_UP_MS = 2000;

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === 'object' && error !== null && 'message' in error ? String((error as { message: unknown }).message) : String(error);
}

/**
 * Not state (a function and a timer): the job-event subscription, opened with the first workspace so
 * that the event socket is connected before a job starts, and the catch-up timer of the job followed.
 */
let unsubscribe: (() => void) | null = null;
let catchUpTimer: ReturnType<typeof setInterval> | null = null;

function stopCatchingUp(): void {
  if (catchUpTimer) clearInterval(catchUpTimer);
  catchUpTimer = null;
}

type FollowedKind = 'import' | 'plan';

export const useDatasetsStore = defineStore('datasets', {
  state: () => ({
    /** What the user typed or chose. */
    workspaceFolder: '',
    sourceFolder: '',
    workspace: null as WorkspaceInfo | null,
    summary: null as DatasetSummary | null,
    details: null as DatasetDetails | null,
    /** The import or plan job being followed (the latest one started here, or found running). */
    job: null as JobInfo | null,
    /** Highest event seq applied to `job`. */
    lastSeq: 0,
    busy: null as null | 'restore' | 'workspace' | 'summary' | 'import' | 'plan',
    error: null as string | null,
    /** Why a folder dialog could not open (browser mode) or a drop gave no path, shown next to the fields. */
    notice: null as string | null,
    /** The integrity report's filters. */
    severity: 'all' as SeverityFilter,
    filterText: '',
    /** Plan settings: CPU or GPU memory rules, and an optional memory budget in GB. */
    planDevice: 'cpu' as 'cpu' | 'gpu',
    planMemoryGb: '',
  }),
  getters: {
    running: (state) => state.job !== null && !FINISHED.includes(state.job.status),
    importing(): boolean {
      return this.running && this.job?.kind === 'import';
    },
    planning(): boolean {
      return this.running && this.job?.kind === 'plan';
    },
    hasPlan: (state) => state.details?.plan != null,
  },
  actions: {
    /** Fills a folder field from the native dialog; in browser mode explains why to type the path. */
    async chooseFolder(field: 'workspaceFolder' | 'sourceFolder', title: string) {
      this.notice = null;
      try {
        const chosen = await useApi().invoke('dialog.chooseFolder', { title });
        if (chosen.path) this[field] = chosen.path;
        else if (chosen.reason) this.notice = chosen.reason;
      } catch (error) {
        this.error = messageOf(error);
      }
    },

    /** After a reload or restart: reopens the most recent workspace, so that every section shows it again. */
    async restore() {
      if (this.workspace) return;
      this.busy = 'restore';
      try {
        const [recent] = await useApi().invoke('workspace.recent', {});
        this.busy = null;
        if (recent && !this.workspace) {
          this.workspaceFolder = recent.folder;
          await this.openWorkspace(false);
        }
      } catch (error) {
        this.error = messageOf(error);
      } finally {
        if (this.busy === 'restore') this.busy = null;
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
        const api = useApi();
        this.workspace = create ? await api.invoke('workspace.create', { folder }) : await api.invoke('workspace.open', { folder });
        this.workspaceFolder = this.workspace.folder;
        this.job = null;
        this.summary = null;
        this.details = null;
        stopCatchingUp();
        // One subscription per page; it finds the store when an event comes (created once per app, or per test).
        unsubscribe ??= api.subscribe('job.event', (event) => {
          const store = useDatasetsStore();
          if (event.jobId === store.job?.id) void store.applyEvents([event]);
        });
      } catch (error) {
        this.error = messageOf(error);
      } finally {
        this.busy = null;
      }
      if (!this.workspace) return;
      await this.loadSummary();
      await this.resumeFollowing();
    },

    /** Follows an import or plan job of this workspace that is still queued or running (e.g. after a reload). */
    async resumeFollowing() {
      if (!this.workspace) return;
      try {
        const jobs = await useApi().invoke('jobs.list', { workspace: this.workspace.folder });
        const active = jobs.find((job) => (job.kind === 'import' || job.kind === 'plan') && !FINISHED.includes(job.status));
        if (active) this.follow(active);
      } catch (error) {
        this.error = messageOf(error);
      }
    },

    async loadSummary() {
      if (!this.workspace) return;
      const workspace = this.workspace.folder;
      this.busy = 'summary';
      try {
        const api = useApi();
        const [summary, details] = await Promise.all([api.invoke('dataset.get', { workspace }), api.invoke('dataset.details', { workspace })]);
        if (this.workspace?.folder !== workspace) return;
        this.summary = summary;
        this.details = details;
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
      await this.startJob('import', () => useApi().invoke('dataset.import', { workspace: this.workspace!.folder, source }));
    },

    /** Starts the 'plan' job: spacing, normalization, patch, batch and network, then the preprocessing cache. */
    async plan() {
      if (!this.workspace) return;
      const memory = this.planMemoryGb.trim();
      const budgetGb = memory === '' ? undefined : Number(memory);
      if (budgetGb !== undefined && !(Number.isFinite(budgetGb) && budgetGb > 0)) {
        this.error = `The memory budget must be a number of GB above 0 (or empty for the planner's default), not '${memory}'.`;
        return;
      }
      const params = { device: this.planDevice, ...(budgetGb === undefined ? {} : { budgetGb }) };
      await this.startJob('plan', () => useApi().invoke('jobs.start', { workspace: this.workspace!.folder, kind: 'plan', params }));
    },

    async startJob(kind: FollowedKind, start: () => Promise<JobInfo>) {
      this.busy = kind;
      this.error = null;
      stopCatchingUp();
      try {
        const job = await start();
        if (FINISHED.includes(job.status)) {
          this.job = job;
          this.lastSeq = 0;
          await this.finishJob(job.id);
          return;
        }
        this.follow(job);
        await this.catchUp();
      } catch (error) {
        this.error = messageOf(error);
      } finally {
        this.busy = null;
      }
    },

    follow(job: JobInfo) {
      stopCatchingUp();
      this.job = job;
      this.lastSeq = 0;
      catchUpTimer = setInterval(() => void this.catchUp(), CATCH_UP_MS);
    },

    /** Reads the events the live stream may have missed. */
    async catchUp() {
      const job = this.job;
      if (!job || FINISHED.includes(job.status)) return;
      try {
        await this.applyEvents(await useApi().invoke('jobs.events', { jobId: job.id, since: this.lastSeq }));
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
        const jobs = await useApi().invoke('jobs.list', { workspace: this.workspace.folder });
        const final = jobs.find((candidate) => candidate.id === jobId);
        if (final) this.job = final;
        if (this.job?.status === 'succeeded') await this.loadSummary();
        else this.error = this.job?.error ?? `The ${this.job?.kind ?? 'job'} ended as ${this.job?.status}.`;
      } catch (error) {
        this.error = messageOf(error);
      }
    },
  },
});
