/**
 * The wall-time schedule refit (engine/train/training-run.ts): at every validation the schedule is
 * re-sized from the pace of the last window, so a machine that gets faster or slower mid-run (other
 * work ending or starting) still ends at the wall. The 90-minute hippocampus benchmark of 2026-11-26
 * showed what a single early fit does: fitted while 9 runs shared the machine, it ended at 68 minutes
 * once the load fell to 3.
 */
import { describe, expect, it } from 'vitest';
import { refitSchedule } from '../../../engine/train/training-run.ts';

describe('refitSchedule', () => {
  it('fills the remaining wall time at the pace of the last window, with 3 % to spare', () => {
    // 400 steps in 2,000 s (5 s/step) of a 5,400 s budget; the last 100 steps took 500 s.
    const steady = refitSchedule({ step: 400, trainingSeconds: 2000, wallSeconds: 5400, window: { step: 300, seconds: 1500 } });
    // The machine got 2x faster in the last window (100 steps in 250 s) or 2x slower (in 1,000 s).
    const faster = refitSchedule({ step: 400, trainingSeconds: 1750, wallSeconds: 5400, window: { step: 300, seconds: 1500 } });
    const slower = refitSchedule({ step: 400, trainingSeconds: 2500, wallSeconds: 5400, window: { step: 300, seconds: 1500 } });
    expect({ steady, faster, slower }).toEqual({
      steady: 400 + Math.floor((3400 / 5) * 0.97),
      faster: 400 + Math.floor((3650 / 2.5) * 0.97),
      slower: 400 + Math.floor((2900 / 10) * 0.97),
    });
  });

  it('always leaves at least one more step, also past the wall or with an empty window', () => {
    expect([
      refitSchedule({ step: 50, trainingSeconds: 6000, wallSeconds: 5400, window: { step: 40, seconds: 5900 } }),
      refitSchedule({ step: 50, trainingSeconds: 100, wallSeconds: 5400, window: { step: 50, seconds: 100 } }),
    ]).toEqual([51, 51]);
  });
});
