import { describe, expect, it } from 'vitest';
import type { JobEvent } from '../../../../main/contract/index.ts';
import { applyJobEvents, emptyMonitorState, leaderboard, LOG_LIMIT, progressOf, wallBudgetSeconds } from '../../../../renderer/src/stores/monitor-events.ts';

/** Events as the job service records them: a search job's engine events wrapped as { source, event }. */
function searchEvents(): JobEvent[] {
  const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, second)).toISOString();
  const events: Array<Omit<JobEvent, 'jobId' | 'seq'>> = [
    { time: at(0), type: 'status', status: 'queued' },
    { time: at(1), type: 'status', status: 'running' },
    { time: at(2), type: 'log', message: 'Backend wasm\nsecond line' },
    { time: at(3), type: 'engine', data: { source: 'job', event: { type: 'phase', phase: 'search', message: 'enas search', time: at(3) } } },
    { time: at(4), type: 'engine', data: { source: 'enas', event: { type: 'shared-training', controllerStep: 0, sharedSteps: 1, loss: 2.5, secondsPerStep: 1, time: at(4) } } },
    { time: at(5), type: 'engine', data: { source: 'enas', event: { type: 'shared-training', controllerStep: 0, sharedSteps: 2, loss: 2.25, secondsPerStep: 1, time: at(5) } } },
    { time: at(6), type: 'engine', data: { source: 'enas', event: { type: 'child-evaluated', controllerStep: 0, archId: 'aaa', point: { 'enc0.cell0': 1 }, meanDice: 0.4, perClass: [0.3, 0.5], time: at(6) } } },
    { time: at(7), type: 'engine', data: { source: 'enas', event: { type: 'child-evaluated', controllerStep: 0, archId: 'bbb', point: { 'enc0.cell0': 2 }, meanDice: 0.6, perClass: [0.5, 0.7], time: at(7) } } },
    { time: at(8), type: 'engine', data: { source: 'enas', event: { type: 'controller-step', record: { step: 1, meanReward: 0.5, baseline: 0.45, entropy: 29.5, loss: 0.1, mostLikely: [], newChildren: 2 }, sharedSteps: 2, elapsedSeconds: 7, etaSeconds: 50, leaderboard: [], time: at(8) } } },
    { time: at(8), type: 'progress', fraction: null, message: 'Controller step 1', etaSeconds: 50 },
    { time: at(9), type: 'engine', data: { source: 'enas', event: { type: 'finalist-evaluated', greedy: true, archId: 'aaa', point: { 'enc0.cell0': 1 }, meanDice: 0.7, perClass: [0.6, 0.8], time: at(9) } } },
    // A later child score does not replace the finalist's (every reward case) score.
    { time: at(10), type: 'engine', data: { source: 'enas', event: { type: 'child-evaluated', controllerStep: 1, archId: 'aaa', point: { 'enc0.cell0': 1 }, meanDice: 0.1, perClass: [0.1, 0.1], time: at(10) } } },
    { time: at(11), type: 'engine', data: { source: 'enas', event: { type: 'search-finished', reason: 'steps', selected: { archId: 'aaa', meanDice: 0.7 }, controllerSteps: 1, sharedSteps: 2, elapsedSeconds: 10, time: at(11) } } },
    { time: at(12), type: 'engine', data: { source: 'final-training', event: { type: 'step', step: 10, loss: 1.5, learningRate: 0.001, secondsPerStep: 0.5, etaSeconds: 20, time: at(12) } } },
    { time: at(13), type: 'engine', data: { source: 'final-training', event: { type: 'validation', step: 10, meanDice: 0.65, meanPerClass: [0.6, 0.7], best: true, time: at(13) } } },
    { time: at(14), type: 'status', status: 'succeeded' },
  ];
  return events.map((event, index) => ({ jobId: 'job-1', seq: index + 1, ...event }));
}

describe('the Monitor state rebuilt from job events', () => {
  it('collects the search loss, the controller, the candidates (finalist scores win), the final training and the log', () => {
    const state = applyJobEvents(emptyMonitorState(), searchEvents());
    expect({
      status: state.status,
      startedAt: state.startedAt,
      endedAt: state.endedAt,
      phase: state.phase,
      searchLoss: state.searchLoss,
      trainingLoss: state.trainingLoss,
      validation: state.validation,
      controller: state.controller,
      selected: state.selected,
      progress: state.progress,
    }).toEqual({
      status: 'succeeded',
      startedAt: '2026-01-01T12:00:01.000Z',
      endedAt: '2026-01-01T12:00:14.000Z',
      phase: 'search',
      searchLoss: [{ x: 1, y: 2.5 }, { x: 2, y: 2.25 }],
      trainingLoss: [{ x: 10, y: 1.5 }],
      validation: [{ step: 10, mean: 0.65, perClass: [0.6, 0.7] }],
      controller: [{ step: 1, meanReward: 0.5, baseline: 0.45, entropy: 29.5 }],
      selected: { archId: 'aaa', dice: 0.7 },
      progress: { fraction: null, message: 'Controller step 1', etaSeconds: 50, time: '2026-01-01T12:00:08.000Z' },
    });
    expect(leaderboard(state)).toEqual([
      { archId: 'aaa', dice: 0.7, perClass: [0.6, 0.8], source: 'finalist', evaluations: 3, greedy: true, seconds: 9, status: null, point: { 'enc0.cell0': 1 } },
      { archId: 'bbb', dice: 0.6, perClass: [0.5, 0.7], source: 'child', evaluations: 1, greedy: false, seconds: 6, status: null, point: { 'enc0.cell0': 2 } },
    ]);
    expect(state.log.map((line) => line.message)).toEqual([
      'Job queued.',
      'Job running.',
      'Backend wasm',
      'second line',
      'Phase search: enas search.',
      'Controller step 1: mean reward 0.500, baseline 0.450, entropy 29.50 nats.',
      'Search finished (steps): selected aaa.',
      'Job succeeded.',
    ]);
  });

  it('gives the same state whether the events come at once, one by one, twice or out of order', () => {
    const events = searchEvents();
    const whole = applyJobEvents(emptyMonitorState(), events);
    const oneByOne = emptyMonitorState();
    for (const event of events) applyJobEvents(oneByOne, [event]);
    applyJobEvents(oneByOne, events.slice(3, 8));
    const shuffled = applyJobEvents(emptyMonitorState(), [...events].reverse());
    expect(oneByOne).toEqual(whole);
    expect(shuffled).toEqual(whole);
  });

  it('reads random-search trials, differentiable architecture steps and plain training jobs', () => {
    const time = '2026-01-01T00:00:00.000Z';
    const events: JobEvent[] = [
      { jobId: 'j', seq: 1, time, type: 'engine', data: { source: 'random', event: { type: 'trial-finished', index: 0, archId: 'ccc', status: 'trained', metrics: { meanDice: 0.5, perClass: [0.4, 0.6], seconds: 30 }, reason: null, seconds: 31, time } } },
      { jobId: 'j', seq: 2, time, type: 'engine', data: { source: 'random', event: { type: 'trial-finished', index: 1, archId: 'ddd', status: 'failed', metrics: null, reason: 'out of memory', seconds: 2, time } } },
      { jobId: 'j', seq: 3, time, type: 'engine', data: { source: 'darts', event: { type: 'arch-step', step: 4, temperature: null, weightLoss: 1.2, architectureLoss: 1.1, softmax: { 'enc0.cell0': [0.2, 0.8] }, elapsedSeconds: 5, etaSeconds: 10, time } } },
      { jobId: 'j', seq: 4, time, type: 'engine', data: { type: 'step', step: 5, loss: 0.9, learningRate: 0.01, secondsPerStep: 1, etaSeconds: 3, time } },
      { jobId: 'j', seq: 5, time, type: 'engine', data: 'not an object' },
    ];
    const state = applyJobEvents(emptyMonitorState(), events);
    expect({ rows: leaderboard(state).map((row) => [row.archId, row.dice, row.source, row.status, row.seconds]), architecture: state.architecture, searchLoss: state.searchLoss, trainingLoss: state.trainingLoss }).toEqual({
      rows: [
        ['ccc', 0.5, 'trial', 'trained', 31],
        ['ddd', null, 'trial', 'failed', 2],
      ],
      architecture: { step: 4, temperature: null, softmax: { 'enc0.cell0': [0.2, 0.8] } },
      searchLoss: [{ x: 4, y: 1.2 }],
      trainingLoss: [{ x: 5, y: 0.9 }],
    });
    expect(state.log.map((line) => [line.level, line.message])).toEqual([
      ['info', 'Candidate ccc trained: Dice 0.500.'],
      ['warning', 'Candidate ddd failed (out of memory).'],
    ]);
  });

  it('keeps the newest log lines only', () => {
    const time = '2026-01-01T00:00:00.000Z';
    const events: JobEvent[] = Array.from({ length: LOG_LIMIT + 10 }, (_, index) => ({ jobId: 'j', seq: index + 1, time, type: 'log', message: `line ${index + 1}` }));
    const state = applyJobEvents(emptyMonitorState(), events);
    expect([state.log.length, state.log[0]!.message, state.log.at(-1)!.message]).toEqual([LOG_LIMIT, 'line 11', `line ${LOG_LIMIT + 10}`]);
  });

  it('shows the reported fraction, else the share of the wall budget spent, with the ETA counting down', () => {
    const state = applyJobEvents(emptyMonitorState(), searchEvents().slice(0, 2));
    const started = Date.parse(state.startedAt!);
    expect(wallBudgetSeconds({ budget: '2m' })).toBe(120);
    expect([wallBudgetSeconds({ budget: '300steps' }), wallBudgetSeconds({})]).toEqual([null, null]);
    expect(progressOf(state, { budget: '120s' }, started + 30_000)).toEqual({ fraction: 0.25, etaSeconds: 90, estimated: true });
    expect(progressOf(state, { budget: '120s' }, started + 500_000)).toEqual({ fraction: 0.99, etaSeconds: 0, estimated: true });
    expect(progressOf(state, {}, started)).toEqual({ fraction: null, etaSeconds: null, estimated: false });
    state.progress = { fraction: 0.5, message: 'Step 10', etaSeconds: 40, time: new Date(started + 10_000).toISOString() };
    expect(progressOf(state, { budget: '120s' }, started + 25_000)).toEqual({ fraction: 0.5, etaSeconds: 25, estimated: false });
    state.status = 'succeeded';
    expect(progressOf(state, {}, started)).toEqual({ fraction: 1, etaSeconds: 0, estimated: false });
  });
});
