/**
 * A job's Monitor state, rebuilt from its events alone (jobs.events on load, then job.event live),
 * so that a reload or a restart shows exactly what a live view showed. Engine events arrive in
 * `data`: training events as they are, search events as `{ source, event }` (engine/search/search-job.ts).
 * The renderer may not import the engine's search types, so the shapes are read defensively here:
 * a field of another type is skipped, never trusted.
 */
import type { JobEvent, JobStatus } from '../../../main/contract/index.ts';

export interface Point {
  x: number;
  y: number;
}

export interface Candidate {
  archId: string;
  /** Mean Dice of the latest score; a finalist's (scored on every reward case) replaces a child's. */
  dice: number | null;
  perClass: number[];
  /** child: scored with a supernet's shared weights; finalist: re-scored on every reward case; trial: trained alone; selected: the search's choice. */
  source: 'child' | 'finalist' | 'trial' | 'selected';
  evaluations: number;
  greedy: boolean;
  /** A trial's training seconds; for shared-weight scores, seconds into the job when it was last scored. */
  seconds: number | null;
  /** A trial's end state (trained, failed, rejected...), null for shared-weight scores. */
  status: string | null;
  /** The search point the event carried (decision id -> choice index), when it did. */
  point: Record<string, number> | null;
}

export interface LogLine {
  seq: number;
  time: string;
  level: 'info' | 'warning' | 'error';
  message: string;
}

export interface MonitorState {
  lastSeq: number;
  status: JobStatus | null;
  /** When the job last started running (ISO), and when it last stopped. */
  startedAt: string | null;
  endedAt: string | null;
  progress: { fraction: number | null; message: string; etaSeconds: number | null; time: string | null };
  phase: string | null;
  /** Training loss per step (a training job, or a search's final training). */
  trainingLoss: Point[];
  /** The search's own training loss (shared supernet weights, or a differentiable search's weights). */
  searchLoss: Point[];
  /** Validation Dice per step: mean and one value per foreground class. */
  validation: Array<{ step: number; mean: number; perClass: number[] }>;
  /** ENAS controller: mean reward, its baseline and the policy's entropy per controller step. */
  controller: Array<{ step: number; meanReward: number; baseline: number; entropy: number }>;
  /** Differentiable search: the latest softmax over each decision's options. */
  architecture: { step: number; temperature: number | null; softmax: Record<string, number[]> } | null;
  candidates: Record<string, Candidate>;
  selected: { archId: string; dice: number | null } | null;
  log: LogLine[];
}

/** The log keeps this many lines (the newest). */
export const LOG_LIMIT = 400;

export function emptyMonitorState(): MonitorState {
  return {
    lastSeq: 0,
    status: null,
    startedAt: null,
    endedAt: null,
    progress: { fraction: null, message: '', etaSeconds: null, time: null },
    phase: null,
    trainingLoss: [],
    searchLoss: [],
    validation: [],
    controller: [],
    architecture: null,
    candidates: {},
    selected: null,
    log: [],
  };
}

type Fields = Record<string, unknown>;
const isFields = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const numbers = (value: unknown): number[] => (Array.isArray(value) ? value.filter((item): item is number => typeof item === 'number') : []);
const pointOf = (value: unknown): Record<string, number> | null =>
  isFields(value) && Object.values(value).every((index) => Number.isInteger(index)) ? (value as Record<string, number>) : null;
const fixed = (value: number | null, digits = 3) => (value === null ? '–' : value.toFixed(digits));

const ENDED: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled', 'interrupted'];

function addLog(state: MonitorState, event: JobEvent, message: string, level: LogLine['level'] = 'info'): void {
  state.log.push({ seq: event.seq, time: event.time, level, message });
  if (state.log.length > LOG_LIMIT) state.log.splice(0, state.log.length - LOG_LIMIT);
}

function secondsIntoJob(state: MonitorState, time: string | null): number | null {
  if (!state.startedAt || !time) return null;
  const seconds = (Date.parse(time) - Date.parse(state.startedAt)) / 1000;
  return Number.isFinite(seconds) ? Math.max(0, seconds) : null;
}

function score(state: MonitorState, archId: string, dice: number | null, perClass: number[], source: Candidate['source'], extra: Partial<Candidate> = {}): void {
  const previous = state.candidates[archId];
  // A finalist's score (every reward case) is better evidence than a child's (a subset): it is not replaced by later child scores.
  const keepPrevious = previous?.source === 'finalist' && source === 'child';
  state.candidates[archId] = {
    archId,
    dice: keepPrevious ? previous.dice : dice,
    perClass: keepPrevious ? previous.perClass : perClass,
    source: keepPrevious ? previous.source : source,
    evaluations: (previous?.evaluations ?? 0) + 1,
    greedy: (previous?.greedy ?? false) || extra.greedy === true,
    seconds: extra.seconds ?? previous?.seconds ?? null,
    status: extra.status ?? previous?.status ?? null,
    point: extra.point ?? previous?.point ?? null,
  };
}

/** A training run's events (a train job's, or a search's final training). */
function applyTraining(state: MonitorState, event: JobEvent, data: Fields): void {
  const step = num(data['step']);
  switch (data['type']) {
    case 'step': {
      const loss = num(data['loss']);
      if (step !== null && loss !== null) state.trainingLoss.push({ x: step, y: loss });
      break;
    }
    case 'validation': {
      const mean = num(data['meanDice']);
      if (step !== null && mean !== null) state.validation.push({ step, mean, perClass: numbers(data['meanPerClass']) });
      break;
    }
    case 'started':
    case 'resumed':
      addLog(state, event, `Training ${data['type']} at step ${step ?? 0}${str(data['backend']) ? ` on ${str(data['backend'])}` : ''}.`);
      break;
    case 'finished':
      addLog(state, event, `Training finished at step ${step ?? '?'} (${str(data['reason']) ?? 'done'}).`);
      break;
  }
}

/** A search's events: ENAS, random search, differentiable searches and C2FNAS stages. */
function applySearch(state: MonitorState, event: JobEvent, source: string, data: Fields): void {
  const type = str(data['type']);
  const time = str(data['time']);
  const archId = str(data['archId']);
  const dice = num(data['meanDice']);
  switch (type) {
    case 'shared-training':
    case 'micro-training': {
      const step = num(data['sharedSteps']) ?? num(data['step']);
      const loss = num(data['loss']);
      if (step !== null && loss !== null) state.searchLoss.push({ x: step, y: loss });
      return;
    }
    case 'child-evaluated':
    case 'path-evaluated':
      if (archId) score(state, archId, dice, numbers(data['perClass']), 'child', { seconds: secondsIntoJob(state, time), point: pointOf(data['point']) });
      return;
    case 'finalist-evaluated':
      if (archId) score(state, archId, dice, numbers(data['perClass']), 'finalist', { greedy: data['greedy'] === true, seconds: secondsIntoJob(state, time), point: pointOf(data['point']) });
      return;
    case 'controller-step': {
      const record = isFields(data['record']) ? data['record'] : {};
      const step = num(record['step']);
      const [reward, baseline, entropy] = [num(record['meanReward']), num(record['baseline']), num(record['entropy'])];
      if (step !== null && reward !== null && baseline !== null && entropy !== null) state.controller.push({ step, meanReward: reward, baseline, entropy });
      addLog(state, event, `Controller step ${step ?? '?'}: mean reward ${fixed(reward)}, baseline ${fixed(baseline)}, entropy ${fixed(entropy, 2)} nats.`);
      return;
    }
    case 'arch-step': {
      const step = num(data['step']);
      const loss = num(data['weightLoss']);
      if (step !== null && loss !== null) state.searchLoss.push({ x: step, y: loss });
      if (step !== null && isFields(data['softmax'])) {
        const softmax = Object.fromEntries(Object.entries(data['softmax']).map(([decision, values]) => [decision, numbers(values)]));
        state.architecture = { step, temperature: num(data['temperature']), softmax };
      }
      return;
    }
    case 'trial-finished': {
      const metrics = isFields(data['metrics']) ? data['metrics'] : {};
      const status = str(data['status']);
      if (archId) score(state, archId, num(metrics['meanDice']), numbers(metrics['perClass']), 'trial', { seconds: num(data['seconds']), status });
      addLog(state, event, `Candidate ${archId ?? '?'} ${status ?? 'finished'}${num(metrics['meanDice']) !== null ? `: Dice ${fixed(num(metrics['meanDice']))}` : ''}${str(data['reason']) ? ` (${str(data['reason'])})` : ''}.`, status === 'failed' ? 'warning' : 'info');
      return;
    }
    case 'trial-rejected':
      addLog(state, event, `Candidate ${archId ?? '?'} rejected: ${str(data['reason']) ?? 'no reason given'}.`, 'warning');
      return;
    case 'scaling-evaluated': {
      const candidate = isFields(data['candidate']) ? data['candidate'] : {};
      const result = isFields(data['result']) ? data['result'] : {};
      const id = str(candidate['archId']);
      if (id) score(state, id, num(result['meanDice']), [], 'trial', { seconds: num(result['seconds']), status: str(result['reason']) ?? 'trained', point: pointOf(candidate['point']) });
      addLog(state, event, `Scaling ${str(candidate['label']) ?? id ?? '?'}: Dice ${fixed(num(result['meanDice']))}.`);
      return;
    }
    case 'macro':
      if (isFields(data['event'])) applySearch(state, event, source, data['event']);
      return;
    case 'search-finished': {
      const selected = isFields(data['selected']) ? data['selected'] : isFields(data['best']) ? data['best'] : data;
      const id = str(selected['archId']);
      if (id) {
        state.selected = { archId: id, dice: num(selected['meanDice']) };
        if (!state.candidates[id]) score(state, id, num(selected['meanDice']), numbers(selected['perClass']), 'selected', { point: pointOf(selected['point']) });
      }
      addLog(state, event, `Search finished (${str(data['reason']) ?? source})${id ? `: selected ${id}` : ''}.`);
      return;
    }
    case 'search-started':
    case 'search-resumed':
    case 'stage-started':
    case 'stage-finished':
      addLog(state, event, `${source}: ${type.replace('-', ' ')}${str(data['stage']) ? ` ${str(data['stage'])}` : ''}.`);
      return;
  }
}

function applyEngine(state: MonitorState, event: JobEvent): void {
  const data = event.data;
  if (!isFields(data)) return;
  if (typeof data['source'] === 'string' && isFields(data['event'])) {
    const source = data['source'];
    const inner = data['event'];
    if (source === 'final-training' || source === 'training') applyTraining(state, event, inner);
    else if (source === 'job') {
      state.phase = str(inner['phase']);
      if (str(inner['message'])) addLog(state, event, `Phase ${state.phase ?? '?'}: ${str(inner['message'])}.`);
    } else applySearch(state, event, source, inner);
    return;
  }
  applyTraining(state, event, data);
}

/** Applies events in seq order, each once (older or repeated seqs are skipped); returns the state. */
export function applyJobEvents(state: MonitorState, events: readonly JobEvent[]): MonitorState {
  for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
    if (event.seq <= state.lastSeq) continue;
    state.lastSeq = event.seq;
    switch (event.type) {
      case 'status':
        if (!event.status) break;
        state.status = event.status;
        if (event.status === 'running') {
          state.startedAt = event.time;
          state.endedAt = null;
        } else if (ENDED.includes(event.status)) state.endedAt = event.time;
        addLog(state, event, event.message ? `Job ${event.status}: ${event.message}` : `Job ${event.status}.`, event.status === 'failed' ? 'error' : event.status === 'interrupted' ? 'warning' : 'info');
        break;
      case 'progress':
        state.progress = { fraction: event.fraction ?? null, message: event.message ?? state.progress.message, etaSeconds: event.etaSeconds ?? null, time: event.time };
        break;
      case 'log':
        if (event.message) for (const line of event.message.split('\n')) addLog(state, event, line);
        break;
      case 'engine':
        applyEngine(state, event);
        break;
    }
  }
  return state;
}

/** Leaderboard rows: best Dice first (unscored last), the selected architecture marked by the caller. */
export function leaderboard(state: MonitorState): Candidate[] {
  return Object.values(state.candidates).sort((a, b) => (b.dice ?? -1) - (a.dice ?? -1) || a.archId.localeCompare(b.archId));
}

/** The wall budget a job's params name ('90m', '2h', '45s'), in seconds; null for step budgets or none. */
export function wallBudgetSeconds(params: Record<string, unknown>): number | null {
  const budget = params['budget'];
  if (typeof budget !== 'string') return null;
  const match = /^(\d+(?:\.\d+)?)(s|m|h)$/.exec(budget.trim());
  return match ? Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h'] : null;
}

/**
 * Progress to show: the job's own fraction when it reports one, else (searches report none) the
 * share of the wall budget spent; the ETA likewise. `now` in ms (Date.now()).
 */
export function progressOf(state: MonitorState, params: Record<string, unknown>, now: number): { fraction: number | null; etaSeconds: number | null; estimated: boolean } {
  if (state.status === 'succeeded') return { fraction: 1, etaSeconds: 0, estimated: false };
  const running = state.status === 'running' && state.startedAt !== null;
  const elapsed = running ? (now - Date.parse(state.startedAt!)) / 1000 : null;
  const budget = wallBudgetSeconds(params);
  if (state.progress.fraction !== null) {
    const sinceReport = running && state.progress.time ? Math.max(0, (now - Date.parse(state.progress.time)) / 1000) : 0;
    const eta = state.progress.etaSeconds === null ? null : Math.max(0, state.progress.etaSeconds - sinceReport);
    return { fraction: state.progress.fraction, etaSeconds: eta, estimated: false };
  }
  if (budget !== null && elapsed !== null) return { fraction: Math.min(0.99, Math.max(0, elapsed / budget)), etaSeconds: Math.max(0, budget - elapsed), estimated: true };
  return { fraction: null, etaSeconds: state.progress.etaSeconds, estimated: false };
}
