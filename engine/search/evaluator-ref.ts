import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Evaluator, EvaluatorRef } from './types.ts';

export const isEvaluatorRef = (value: Evaluator | EvaluatorRef): value is EvaluatorRef => 'module' in value && 'exportName' in value;

/** Builds the evaluator an EvaluatorRef names: `import(module)[exportName](options)`. */
export async function loadEvaluator(ref: EvaluatorRef): Promise<Evaluator> {
  if (!isAbsolute(ref.module)) throw new Error(`evaluator module must be an absolute path, got ${ref.module}`);
  const loaded = (await import(pathToFileURL(ref.module).href)) as Record<string, unknown>;
  const factory = loaded[ref.exportName];
  if (typeof factory !== 'function') throw new Error(`${ref.module} exports no function ${ref.exportName}`);
  return (await (factory as (options: unknown) => Evaluator | Promise<Evaluator>)(ref.options)) as Evaluator;
}
