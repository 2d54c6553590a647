import { defineStore } from 'pinia';
import type { JobInfo } from '../../../main/contract/index.ts';
import type { SearchEstimate, SearchMethod } from '../../../main/contract/search.ts';
import { useApi } from './api.ts';
import { messageOf, useDatasetsStore } from './datasets.ts';
import { useMonitorStore } from './monitor.ts';
import { useNavigationStore } from './navigation.ts';
import { checkSearchForm, jobRequests, type FormCheck, type SearchForm } from './search-form.ts';

/**
 * The Search wizard: the methods the engine offers (search.methods), the form (method, budget,
 * memory, fold, advanced params), the plan's estimate for it (search.estimate, asked again as the
 * form changes), and Start: the jobs in the worker, then the Monitor on the first of them.
 */

/** Wait after the last change before asking for an estimate (typing a budget is several changes). */
const ESTIMATE_DELAY_MS = 300;
let estimateTimer: ReturnType<typeof setTimeout> | null = null;
/** Which estimate request is the latest: answers to older ones are dropped. */
let estimateRequest = 0;

export const useSearchStore = defineStore('search', {
  state: () => ({
    methods: [] as SearchMethod[],
    methodsState: 'idle' as 'idle' | 'loading' | 'ready' | 'error',
    form: { method: 'enas', hours: '2', minutes: '0', memoryGb: '', fold: '0', advanced: '' } as SearchForm,
    /** Whether the user tried to start: field messages show from then on (and as soon as a field is wrong). */
    attempted: false,
    estimate: null as SearchEstimate | null,
    estimateState: 'idle' as 'idle' | 'loading' | 'ready' | 'error',
    estimateError: null as string | null,
    starting: false,
    startError: null as string | null,
  }),
  getters: {
    check(state): FormCheck {
      return checkSearchForm(state.form, state.methods);
    },
    selectedMethod: (state) => state.methods.find((method) => method.id === state.form.method) ?? null,
  },
  actions: {
    async loadMethods() {
      if (this.methodsState === 'loading' || this.methodsState === 'ready') return;
      this.methodsState = 'loading';
      try {
        this.methods = await useApi().invoke('search.methods', {});
        if (!this.methods.some((method) => method.id === this.form.method && method.implemented)) {
          this.form.method = this.methods.find((method) => method.implemented)?.id ?? this.form.method;
        }
        this.methodsState = 'ready';
      } catch (error) {
        this.methodsState = 'error';
        this.estimateError = messageOf(error);
      }
    },

    /** Asks for a new estimate shortly after the form (or the workspace's plan) changed. */
    scheduleEstimate() {
      if (estimateTimer) clearTimeout(estimateTimer);
      estimateTimer = setTimeout(() => void this.refreshEstimate(), ESTIMATE_DELAY_MS);
    },

    async refreshEstimate() {
      estimateTimer = null;
      const workspace = useDatasetsStore().workspace?.folder;
      const check = this.check;
      // The estimate needs a budget and a fold; an unavailable method still gets one (what it would cost).
      const budgetOk = check.ok || (!check.errors.hours && !check.errors.minutes && !check.errors.memoryGb);
      if (!workspace || !useDatasetsStore().hasPlan || !budgetOk) {
        this.estimate = null;
        this.estimateState = 'idle';
        return;
      }
      const hours = Number(this.form.hours.trim() || '0');
      const minutes = Number(this.form.minutes.trim() || '0');
      const memory = this.form.memoryGb.trim();
      const request = ++estimateRequest;
      this.estimateState = 'loading';
      try {
        const estimate = await useApi().invoke('search.estimate', {
          workspace,
          method: this.form.method,
          budgetSeconds: Math.round(hours * 3600 + minutes * 60),
          fold: this.form.fold === 'all' ? 'all' : Number(this.form.fold),
          ...(memory === '' ? {} : { memoryGb: Number(memory) }),
        });
        if (request !== estimateRequest) return;
        this.estimate = estimate;
        this.estimateState = 'ready';
        this.estimateError = null;
      } catch (error) {
        if (request !== estimateRequest) return;
        this.estimate = null;
        this.estimateState = 'error';
        this.estimateError = messageOf(error);
      }
    },

    /** Starts the jobs (one per fold) and shows the first in the Monitor; nothing starts when a field is wrong. */
    async start(): Promise<JobInfo[]> {
      this.attempted = true;
      this.startError = null;
      const check = this.check;
      const workspace = useDatasetsStore().workspace?.folder;
      if (!check.ok) return [];
      if (!workspace) {
        this.startError = 'Open a workspace on the Datasets screen first.';
        return [];
      }
      this.starting = true;
      const started: JobInfo[] = [];
      try {
        const api = useApi();
        for (const request of jobRequests(check.value)) started.push(await api.invoke('jobs.start', { workspace, kind: request.kind, params: request.params }));
      } catch (error) {
        this.startError = `${started.length > 0 ? `${started.length} job(s) started, then: ` : ''}${messageOf(error)}`;
      } finally {
        this.starting = false;
      }
      if (started.length > 0) {
        await useMonitorStore().show(started[0]!.id);
        useNavigationStore().open('monitor');
      }
      return started;
    },
  },
});
