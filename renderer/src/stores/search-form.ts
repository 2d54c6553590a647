/**
 * The search wizard's form as data: what the user typed, checked field by field with messages
 * that say what to type, and turned into the jobs Start launches ('search' with the method's
 * strategy, or 'train' for the baseline; one job per fold for 'all'). Pure functions, tested alone.
 */
import type { FoldChoice, SearchMethod, SearchMethodId } from '../../../main/contract/search.ts';

export interface SearchForm {
  method: SearchMethodId;
  hours: string;
  minutes: string;
  /** GPU (or training) memory in GB; empty: the plan's budget. */
  memoryGb: string;
  fold: '0' | '1' | '2' | '3' | '4' | 'all';
  /** Extra job params as a JSON object (step knobs for demonstrations and tests); empty: none. */
  advanced: string;
}

export type FormField = keyof SearchForm;

export interface ValidSearch {
  method: SearchMethod;
  budgetSeconds: number;
  memoryGb: number | undefined;
  fold: FoldChoice;
  advanced: Record<string, unknown>;
}

export type FormCheck = { ok: true; value: ValidSearch } | { ok: false; errors: Partial<Record<FormField, string>> };

export const MAX_BUDGET_HOURS = 168;
/** Params the form itself sets: the advanced field may not override them. */
const FORM_PARAMS = ['strategy', 'budget', 'fold', 'memoryGb', 'genome'];

const isWholeOrDecimal = (text: string) => /^\d+(\.\d+)?$/.test(text.trim());

export function checkSearchForm(form: SearchForm, methods: readonly SearchMethod[]): FormCheck {
  const errors: Partial<Record<FormField, string>> = {};
  const method = methods.find((entry) => entry.id === form.method);
  if (!method) errors.method = 'Choose a search method.';
  else if (!method.implemented) errors.method = `${method.label} cannot start: ${method.reason ?? 'the engine does not run it yet.'}`;

  const hoursText = form.hours.trim() === '' ? '0' : form.hours;
  const minutesText = form.minutes.trim() === '' ? '0' : form.minutes;
  if (!isWholeOrDecimal(hoursText)) errors.hours = 'Hours must be a number such as 2 or 1.5.';
  if (!/^\d+$/.test(minutesText.trim())) errors.minutes = 'Minutes must be a whole number from 0 to 59.';
  else if (Number(minutesText) > 59) errors.minutes = 'Minutes must be from 0 to 59 (put whole hours in Hours).';
  const budgetSeconds = Math.round(Number(hoursText) * 3600 + Number(minutesText) * 60);
  if (!errors.hours && !errors.minutes) {
    if (budgetSeconds < 60) errors.hours = 'The budget must be at least 1 minute.';
    else if (budgetSeconds > MAX_BUDGET_HOURS * 3600) errors.hours = `The budget must be at most ${MAX_BUDGET_HOURS} hours (a week).`;
  }

  let memoryGb: number | undefined;
  if (form.memoryGb.trim() !== '') {
    memoryGb = Number(form.memoryGb);
    if (!isWholeOrDecimal(form.memoryGb) || !(memoryGb > 0) || memoryGb > 4096) errors.memoryGb = 'GPU memory must be a number of GB above 0, such as 8 or 11.5 (or empty for the plan\'s budget).';
  }

  let advanced: Record<string, unknown> = {};
  if (form.advanced.trim() !== '') {
    try {
      const parsed = JSON.parse(form.advanced) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) errors.advanced = 'Advanced settings must be a JSON object, such as {"maxControllerSteps": 2}.';
      else {
        advanced = parsed as Record<string, unknown>;
        const clashes = Object.keys(advanced).filter((key) => FORM_PARAMS.includes(key));
        if (clashes.length > 0) errors.advanced = `Set ${clashes.map((key) => `'${key}'`).join(', ')} with the form above, not in the advanced settings.`;
      }
    } catch (error) {
      errors.advanced = `Advanced settings are not valid JSON: ${(error as Error).message}.`;
    }
  }

  if (Object.keys(errors).length > 0 || !method) return { ok: false, errors };
  return { ok: true, value: { method, budgetSeconds, memoryGb, fold: form.fold === 'all' ? 'all' : Number(form.fold), advanced } };
}

export interface JobRequest {
  kind: 'search' | 'train';
  params: Record<string, unknown>;
}

/** The jobs Start launches: one per fold, the search strategy's or the baseline training's params. */
export function jobRequests(search: ValidSearch): JobRequest[] {
  const folds = search.fold === 'all' ? [0, 1, 2, 3, 4] : [search.fold];
  const budget = `${search.budgetSeconds}s`;
  return folds.map((fold) =>
    search.method.job === 'train'
      ? { kind: 'train', params: { genome: 'baseline', fold, budget, ...search.advanced } }
      : { kind: 'search', params: { strategy: search.method.strategy, budget, fold, ...(search.memoryGb === undefined ? {} : { memoryGb: search.memoryGb }), ...search.advanced } },
  );
}
