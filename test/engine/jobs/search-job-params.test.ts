import { describe, expect, it } from 'vitest';
import { readSearchParams } from '../../../engine/jobs/search-job.ts';

describe('the search job\'s ENAS step knobs', () => {
  it('passes shared steps, reward cases, finalists and children per step through to the search', () => {
    const knobs = { sharedSteps: 2, casesPerChild: 1, finalists: 1, controller: { childrenPerStep: 2 } };
    expect(readSearchParams({ strategy: 'enas', budget: '2m', maxControllerSteps: 1, finalSteps: 2, enas: knobs })).toEqual({
      strategy: 'enas',
      budget: 120,
      fold: 0,
      seed: 0,
      enas: knobs,
      maxControllerSteps: 1,
      finalSteps: 2,
    });
    expect(readSearchParams({ enas: {} }).enas).toEqual({});
  });

  it('refuses other fields, zero and fractions, naming what the field takes', () => {
    const expected = 'an object of { sharedSteps, casesPerChild, finalists, controller: { childrenPerStep } }, each an integer >= 1';
    for (const enas of [{ sharedSteps: 0 }, { finalists: 1.5 }, { learningRate: 0.1 }, { controller: { temperature: 5 } }, { controller: 3 }, [1]]) {
      expect(() => readSearchParams({ enas })).toThrow(`params.enas takes ${expected}, not ${JSON.stringify(enas)}`);
    }
  });

  it('refuses a zero budget, a relative space path and C2FNAS from shared weights before anything runs', () => {
    expect(() => readSearchParams({ strategy: 'enas', budget: '0s' })).toThrow(/params.budget takes a wall time above zero/);
    expect(() => readSearchParams({ strategy: 'enas', budget: '1h', space: 'spaces/mine.json' })).toThrow(/absolute path of a search-space file/);
    expect(() => readSearchParams({ strategy: 'c2fnas', budget: '1h', finalInit: 'shared' })).toThrow(/does not apply to c2fnas/);
    expect(readSearchParams({ strategy: 'c2fnas', budget: '1h', space: 'c2fnas' })).toMatchObject({ strategy: 'c2fnas', space: 'c2fnas' });
  });
});
