import type { Candidate, EvaluationBudget, EvaluationOutcome, EvaluatorRef } from './types.ts';

/** Host -> search worker. One evaluation at a time per worker; `cancel` aborts the evaluation `id`. */
export type SearchWorkerRequest =
  | { type: 'evaluate'; id: number; evaluator: EvaluatorRef; candidate: Candidate; budget: EvaluationBudget }
  | { type: 'cancel'; id: number }
  | { type: 'shutdown' };

/** Search worker -> host: every `evaluate` gets exactly one `result`. */
export type SearchWorkerReply = { type: 'result'; id: number; outcome: EvaluationOutcome };
