import { isEvaluatorRef, loadEvaluator } from './evaluator-ref.ts';
import type { EvaluationOutcome, ExecutionEngine } from './types.ts';

/** A thrown error becomes a failure with its message: an evaluation always settles to an outcome. */
export async function settle(evaluation: () => Promise<EvaluationOutcome>): Promise<EvaluationOutcome> {
  try {
    return await evaluation();
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Evaluates one candidate at a time in this process (an Evaluator object or an EvaluatorRef). */
export function sequentialEngine(): ExecutionEngine {
  return {
    name: 'sequential',
    async open(source) {
      const evaluator = isEvaluatorRef(source) ? await loadEvaluator(source) : source;
      return {
        capacity: 1,
        evaluate: (candidate, budget, signal) => settle(() => evaluator.evaluate(candidate, budget, signal)),
        close: async () => {
          await evaluator.close?.();
        },
      };
    },
  };
}
