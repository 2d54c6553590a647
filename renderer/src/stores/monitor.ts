import { defineStore } from 'pinia';
import type { JobEvent, JobInfo } from '../../../main/contract/index.ts';
import type { CandidateCost } from '../../../main/contract/search.ts';
import { useApi } from './api.ts';
import { FINISHED, messageOf, useDatasetsStore } from './datasets.ts';
import { applyJobEvents, emptyMonitorState, type MonitorState } from './monitor-events.ts';

/**
 * The Monitor section: the open workspace's jobs (jobs.list), and the selected job's state rebuilt
 * from all of its events (jobs.events), then kept current from the live job.event stream with a
 * catch-up read every 2 s while it runs (events may be missed: decision 0015). Cancel and Resume
 * act on the selected job; candidates' parameters and FLOPs come from search.candidate, once each.
 */

const CATCH_UP_MS = 2000;
/** The ETA counts down between events. */
const TICK_MS = 1000;

let unsubscribe: (() => void) | null = null;
let catchUpTimer: ReturnType<typeof setInterval> | null = null;
let tickTimer: ReturnType<typeof setInterval> | null = null;
/** Which selection is current: answers for an older selection are dropped. */
let selection = 0;

function stopTimers(): void {
  if (catchUpTimer) clearInterval(catchUpTimer);
  if (tickTimer) clearInterval(tickTimer);
  catchUpTimer = null;
  tickTimer = null;
}

/** A failed read remembers the event seq it was made at, so that it is tried again once more events came. */
/** One subscription per page; it finds the store when an event comes (the store is created once per app, or per test). */
function subscribe(): void {
  unsubscribe ??= useApi().subscribe('job.event', (event) => void useMonitorStore().receive(event));
}

export type CandidateCostEntry = { state: 'loading' } | { state: 'ready'; cost: CandidateCost } | { state: 'error'; message: string; seq: number };

export const useMonitorStore = defineStore('monitor', {
  state: () => ({
    /** The workspace whose jobs are listed. */
    workspace: null as string | null,
    jobs: [] as JobInfo[],
    listState: 'idle' as 'idle' | 'loading' | 'ready' | 'error',
    selectedId: null as string | null,
    monitor: emptyMonitorState() as MonitorState,
    loadState: 'idle' as 'idle' | 'loading' | 'ready' | 'error',
    error: null as string | null,
    /** Cancel or resume in flight. */
    acting: null as null | 'cancel' | 'resume',
    costs: {} as Record<string, CandidateCostEntry>,
    /** Date.now() of the last tick, for the ETA. */
    now: Date.now(),
  }),
  getters: {
    selected: (state) => state.jobs.find((job) => job.id === state.selectedId) ?? null,
    active: (state) => state.jobs.filter((job) => !FINISHED.includes(job.status)),
  },
  actions: {
    /** Lists the open workspace's jobs and selects one: the current selection, else the running or queued one, else the newest. */
    async load() {
      const workspace = useDatasetsStore().workspace?.folder ?? null;
      if (workspace !== this.workspace) {
        this.workspace = workspace;
        this.jobs = [];
        this.selectedId = null;
        this.monitor = emptyMonitorState();
        this.costs = {};
        stopTimers();
      }
      if (!workspace) return;
      this.listState = 'loading';
      try {
        const api = useApi();
        subscribe();
        this.jobs = await api.invoke('jobs.list', { workspace });
        this.listState = 'ready';
      } catch (error) {
        this.listState = 'error';
        this.error = messageOf(error);
        return;
      }
      const keep = this.jobs.find((job) => job.id === this.selectedId);
      const next = keep ?? this.jobs.find((job) => !FINISHED.includes(job.status)) ?? this.jobs[0];
      if (next && (next.id !== this.selectedId || this.loadState !== 'ready')) await this.show(next.id);
    },

    /** Shows a job: its whole history from events.jsonl, then live events. */
    async show(jobId: string) {
      const current = ++selection;
      stopTimers();
      this.selectedId = jobId;
      this.monitor = emptyMonitorState();
      this.costs = {};
      this.loadState = 'loading';
      this.error = null;
      try {
        const api = useApi();
        subscribe();
        const workspace = useDatasetsStore().workspace?.folder;
        const [events, jobs] = await Promise.all([api.invoke('jobs.events', { jobId }), workspace ? api.invoke('jobs.list', { workspace }) : Promise.resolve(this.jobs)]);
        if (current !== selection) return;
        this.jobs = jobs;
        this.workspace = workspace ?? this.workspace;
        applyJobEvents(this.monitor, events);
        this.loadState = 'ready';
      } catch (error) {
        if (current !== selection) return;
        this.loadState = 'error';
        this.error = messageOf(error);
        return;
      }
      // Live events that arrived while the history was read were not applied: read them now.
      await this.catchUp();
      if (current === selection) this.followIfRunning();
    },

    followIfRunning() {
      stopTimers();
      const status = this.monitor.status ?? this.selected?.status;
      if (!status || FINISHED.includes(status)) return;
      catchUpTimer = setInterval(() => void this.catchUp(), CATCH_UP_MS);
      tickTimer = setInterval(() => (this.now = Date.now()), TICK_MS);
    },

    /** A live event: the selected job's are applied in order (a gap is filled by a catch-up read); any job's status updates the list. */
    async receive(event: JobEvent) {
      const listed = this.jobs.find((job) => job.id === event.jobId);
      if (listed && event.type === 'status' && event.status) {
        listed.status = event.status;
        listed.updatedAt = event.time;
      }
      if (listed && event.type === 'progress') listed.progress = { fraction: event.fraction ?? null, message: event.message ?? listed.progress.message, etaSeconds: event.etaSeconds ?? null };
      if (event.jobId !== this.selectedId || this.loadState !== 'ready') return;
      if (event.seq === this.monitor.lastSeq + 1) {
        applyJobEvents(this.monitor, [event]);
        this.retryCosts();
      } else if (event.seq > this.monitor.lastSeq) await this.catchUp();
      if (event.type === 'status' && event.status && FINISHED.includes(event.status)) await this.settle();
    },

    async catchUp() {
      const jobId = this.selectedId;
      if (!jobId) return;
      try {
        const events = await useApi().invoke('jobs.events', { jobId, since: this.monitor.lastSeq });
        if (jobId !== this.selectedId) return;
        applyJobEvents(this.monitor, events);
        if (events.length > 0) this.retryCosts();
        const ended = events.find((event) => event.type === 'status' && event.status && FINISHED.includes(event.status));
        if (ended) await this.settle();
      } catch (error) {
        this.error = messageOf(error);
      }
    },

    /** After the selected job ended: its final record (error, result) from jobs.list, and no more timers. */
    async settle() {
      stopTimers();
      this.now = Date.now();
      const workspace = this.workspace;
      if (!workspace) return;
      try {
        this.jobs = await useApi().invoke('jobs.list', { workspace });
      } catch (error) {
        this.error = messageOf(error);
      }
    },

    async cancel() {
      await this.act('cancel');
    },

    async resume() {
      await this.act('resume');
    },

    async act(action: 'cancel' | 'resume') {
      const jobId = this.selectedId;
      if (!jobId) return;
      this.acting = action;
      this.error = null;
      try {
        const job = await useApi().invoke(action === 'cancel' ? 'jobs.cancel' : 'jobs.resume', { jobId });
        const index = this.jobs.findIndex((entry) => entry.id === job.id);
        if (index >= 0) this.jobs.splice(index, 1, job);
        await this.catchUp();
        if (action === 'resume') this.followIfRunning();
      } catch (error) {
        this.error = messageOf(error);
      } finally {
        this.acting = null;
      }
    },

    /** Parameters, FLOPs and genome summary of a candidate, asked once per architecture (again after a failure, once new events came). */
    async loadCost(archId: string) {
      const workspace = this.workspace;
      const known = this.costs[archId];
      if (!workspace || (known && !(known.state === 'error' && known.seq < this.monitor.lastSeq))) return;
      this.costs[archId] = { state: 'loading' };
      const seq = this.monitor.lastSeq;
      const point = this.monitor.candidates[archId]?.point;
      try {
        this.costs[archId] = { state: 'ready', cost: await useApi().invoke('search.candidate', { workspace, archId, ...(point ? { point } : {}) }) };
      } catch (error) {
        this.costs[archId] = { state: 'error', message: messageOf(error), seq };
      }
    },

    /** A candidate's genome file may be written just after the event that names it: failed reads are tried again. */
    retryCosts() {
      for (const [archId, entry] of Object.entries(this.costs)) if (entry.state === 'error' && entry.seq < this.monitor.lastSeq) void this.loadCost(archId);
    },
  },
});
