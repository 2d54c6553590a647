/**
 * Entry of a preprocessing worker process (child_process.fork from preprocess-dataset.ts). It takes
 * one case at a time: { type: 'case', job } -> { type: 'done', caseId, record } or { type: 'failed',
 * caseId, message, input? }; { type: 'stop' } ends it.
 */
import { isInputError } from '../../io/input-error.ts';
import { runCaseJob, type CaseJob } from './case-job.ts';

type Request = { type: 'case'; job: CaseJob } | { type: 'stop' };

if (process.send === undefined) {
  process.stderr.write('The preprocessing worker must be started by VoxNAS (child_process.fork), not on its own.\n');
  process.exit(2);
}

const reply = (message: object) => process.send?.(message);

process.on('message', (message: Request) => {
  if (message.type === 'stop') {
    process.disconnect();
    return;
  }
  const { job } = message;
  runCaseJob(job).then(
    (record) => reply({ type: 'done', caseId: job.caseId, record }),
    (error: unknown) =>
      reply({
        type: 'failed',
        caseId: job.caseId,
        message: error instanceof Error ? error.message : String(error),
        input: isInputError(error) ? { file: error.file, problem: error.problem, hint: error.hint } : null,
      }),
  );
});
