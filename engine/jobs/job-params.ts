/**
 * Validation of a job's params (the JSON object the renderer sends with jobs.start): each job
 * declares its fields with the small parsers below; every problem is reported at once in one
 * sentence that names the field, says what it takes and what it got. Unknown fields are refused
 * too, so that a misspelt option does not silently fall back to its default.
 */
import { isAbsolute } from 'node:path';

/** What a parser returns for a bad value: what the field takes. */
export class ParamProblem {
  constructor(readonly expected: string) {}
}

export type ParamParser<T> = (value: unknown) => T | ParamProblem;

/** Params that do not fit the job; the message is user-facing. */
export class JobParamsError extends Error {
  override readonly name = 'JobParamsError';
}

const shown = (value: unknown): string => {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

/**
 * Reads `params` with one parser per field. A field missing from `params` is given to its parser as
 * undefined (see `optional`). Throws JobParamsError listing every bad or unknown field.
 */
export function readParams<T extends object>(kind: string, params: Record<string, unknown>, fields: { [K in keyof T]: ParamParser<T[K]> }): T {
  const problems: string[] = [];
  const result: Record<string, unknown> = {};
  for (const [name, parse] of Object.entries(fields) as [string, ParamParser<unknown>][]) {
    const value = parse(params[name]);
    if (value instanceof ParamProblem) problems.push(`params.${name} takes ${value.expected}, not ${params[name] === undefined ? 'nothing' : shown(params[name])}`);
    else if (value !== undefined) result[name] = value;
  }
  const unknown = Object.keys(params).filter((name) => !Object.hasOwn(fields, name));
  if (unknown.length > 0) problems.push(`${unknown.map((name) => `params.${name}`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not known (the ${kind} job takes ${Object.keys(fields).join(', ') || 'no params'})`);
  if (problems.length > 0) throw new JobParamsError(`The ${kind} job cannot start: ${problems.join('; ')}. Fix the params and start it again.`);
  return result as T;
}

/** An optional field: undefined stays undefined (or becomes `fallback`). */
export function optional<T>(parse: ParamParser<T>): ParamParser<T | undefined>;
export function optional<T>(parse: ParamParser<T>, fallback: T): ParamParser<T>;
export function optional<T>(parse: ParamParser<T>, fallback?: T): ParamParser<T | undefined> {
  return (value) => (value === undefined ? fallback : parse(value));
}

export const absolutePath =
  (what: string): ParamParser<string> =>
  (value) =>
    typeof value === 'string' && value !== '' && isAbsolute(value) ? value : new ParamProblem(`an absolute path of ${what}`);

export const oneOf =
  <const T extends string>(choices: readonly T[]): ParamParser<T> =>
  (value) =>
    (choices as readonly unknown[]).includes(value) ? (value as T) : new ParamProblem(choices.map((choice) => `'${choice}'`).join(' or '));

export const integer =
  (min: number, max = Number.MAX_SAFE_INTEGER): ParamParser<number> =>
  (value) =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : new ParamProblem(max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`);

export const positiveNumber: ParamParser<number> = (value) => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : new ParamProblem('a positive number'));

export const boolean: ParamParser<boolean> = (value) => (typeof value === 'boolean' ? value : new ParamProblem('true or false'));

/** A model id: the name of a folder under <workspace>/models/ (no path separators). */
export const folderName =
  (what: string): ParamParser<string> =>
  (value) =>
    typeof value === 'string' && /^[\w.-]+$/.test(value) && value !== '.' && value !== '..' ? value : new ParamProblem(`the folder name of ${what} (letters, digits, '.', '_', '-')`);

export const nonEmptyStringList =
  (what: string): ParamParser<string[]> =>
  (value) =>
    Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string' && item !== '') ? (value as string[]) : new ParamProblem(`a non-empty list of ${what}`);

/** A JSON object (e.g. a genome); its own validator checks the content. */
export const object =
  (what: string): ParamParser<Record<string, unknown>> =>
  (value) =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : new ParamProblem(`${what} as a JSON object`);

/** The first parser that accepts the value wins; the expectations are joined with 'or'. */
export const either =
  <A, B>(first: ParamParser<A>, second: ParamParser<B>): ParamParser<A | B> =>
  (value) => {
    const a = first(value);
    if (!(a instanceof ParamProblem)) return a;
    const b = second(value);
    return b instanceof ParamProblem ? new ParamProblem(`${a.expected} or ${b.expected}`) : b;
  };

export const literal =
  <const T extends string>(text: T): ParamParser<T> =>
  (value) =>
    value === text ? text : new ParamProblem(`'${text}'`);
