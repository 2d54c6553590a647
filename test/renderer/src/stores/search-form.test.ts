import { describe, expect, it } from 'vitest';
import { SEARCH_METHODS } from '../../../../engine/api/search-methods.ts';
import { checkSearchForm, jobRequests, type SearchForm } from '../../../../renderer/src/stores/search-form.ts';

const form = (changes: Partial<SearchForm> = {}): SearchForm => ({ method: 'enas', hours: '2', minutes: '0', memoryGb: '', fold: '0', advanced: '', ...changes });
const errorsOf = (changes: Partial<SearchForm>) => {
  const check = checkSearchForm(form(changes), SEARCH_METHODS);
  return check.ok ? {} : check.errors;
};

describe('the search wizard form', () => {
  it('turns a valid form into one search job per fold, with the advanced params passed through', () => {
    const check = checkSearchForm(form({ hours: '1.5', minutes: '5', memoryGb: '11.5', advanced: '{"maxControllerSteps": 3, "enas": {"sharedSteps": 4}}' }), SEARCH_METHODS);
    if (!check.ok) throw new Error(JSON.stringify(check.errors));
    expect(jobRequests(check.value)).toEqual([{ kind: 'search', params: { strategy: 'enas', budget: '5700s', fold: 0, memoryGb: 11.5, maxControllerSteps: 3, enas: { sharedSteps: 4 } } }]);

    const all = checkSearchForm(form({ method: 'baseline', hours: '', minutes: '45', fold: 'all' }), SEARCH_METHODS);
    if (!all.ok) throw new Error(JSON.stringify(all.errors));
    expect(jobRequests(all.value)).toEqual([0, 1, 2, 3, 4].map((fold) => ({ kind: 'train', params: { genome: 'baseline', fold, budget: '2700s' } })));
  });

  it('says what to type for each wrong field', () => {
    expect(errorsOf({ hours: 'two', minutes: '75', memoryGb: '0', advanced: '[1]' })).toEqual({
      hours: 'Hours must be a number such as 2 or 1.5.',
      minutes: 'Minutes must be from 0 to 59 (put whole hours in Hours).',
      memoryGb: "GPU memory must be a number of GB above 0, such as 8 or 11.5 (or empty for the plan's budget).",
      advanced: 'Advanced settings must be a JSON object, such as {"maxControllerSteps": 2}.',
    });
    expect(errorsOf({ hours: '0', minutes: '0' })).toEqual({ hours: 'The budget must be at least 1 minute.' });
    expect(errorsOf({ hours: '200' })).toEqual({ hours: 'The budget must be at most 168 hours (a week).' });
    expect(errorsOf({ minutes: '1.5' })).toEqual({ minutes: 'Minutes must be a whole number from 0 to 59.' });
    expect(errorsOf({ advanced: '{"budget": "1h", "fold": 2}' })).toEqual({ advanced: "Set 'budget', 'fold' with the form above, not in the advanced settings." });
    expect(errorsOf({ advanced: '{nope' }).advanced).toMatch(/^Advanced settings are not valid JSON: /);
  });

  it('refuses a method the engine does not run yet, with its reason', () => {
    const darts = SEARCH_METHODS.find((method) => method.id === 'darts')!;
    const methods = SEARCH_METHODS.map((method) => (method.id === 'darts' ? { ...method, implemented: false, reason: 'not in this engine.' } : method));
    expect(checkSearchForm(form({ method: 'darts' }), methods)).toEqual({ ok: false, errors: { method: `${darts.label} cannot start: not in this engine.` } });
  });
});
