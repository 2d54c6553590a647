/**
 * Entry of a search worker process (started by worker-pool.ts with child_process.fork): evaluates
 * candidates with the evaluator an EvaluatorRef names, one at a time. It exits when the host goes
 * away (IPC disconnect), so a host killed with SIGKILL leaves no worker behind.
 */
import { canonicalJson } from '../network/genome.ts';
import { settle } from './engines.ts';
import { loadEvaluator } from './evaluator-ref.ts';
import type { Evaluator } from './types.ts';
import type { SearchWorkerReply, SearchWorkerRequest } from './worker-messages.ts';

const send = process.send?.bind(process);
if (!send) {
  process.stderr.write('The VoxNAS search worker must be started with child_process.fork by the search engine.\n');
  process.exit(2);
}

const evaluators = new Map<string, Promise<Evaluator>>();
const running = new Map<number, AbortController>();

process.on('disconnect', () => process.exit(0));
process.on('message', (message: SearchWorkerRequest) => {
  if (message.type === 'shutdown') {
    process.disconnect();
    return;
  }
  if (message.type === 'cancel') {
    running.get(message.id)?.abort();
    return;
  }
  const controller = new AbortController();
  running.set(message.id, controller);
  const key = canonicalJson(message.evaluator);
  if (!evaluators.has(key)) evaluators.set(key, loadEvaluator(message.evaluator));
  void settle(async () => (await evaluators.get(key)!).evaluate(message.candidate, message.budget, controller.signal)).then((outcome) => {
    running.delete(message.id);
    const reply: SearchWorkerReply = { type: 'result', id: message.id, outcome };
    send(reply);
  });
});
