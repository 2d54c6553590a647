import { buildBatch, checkBatchConfig, type BatchConfig, type TrainingBatch } from './batch.ts';
import { caseIdsOf, type CaseSourceSpec } from './batch-messages.ts';
import { readCaseFiles } from './case-files.ts';
import { CaseStore } from './case-store.ts';
import { checkTrainingCase, type TrainingCase } from './training-case.ts';

/**
 * The one way batches are built from a config and a case source, in the worker and in process
 * alike (which is what makes their batches identical). Throws at once on a bad config or case list.
 */
export function createBatchBuilder(config: BatchConfig, source: CaseSourceSpec): (index: number) => Promise<TrainingBatch> {
  const caseIds = caseIdsOf(source);
  const problems = checkBatchConfig(config);
  if (caseIds.length === 0) problems.push('the case list is empty');
  const duplicate = caseIds.find((id, position) => caseIds.indexOf(id) !== position);
  if (duplicate !== undefined) problems.push(`case id ${duplicate} is listed twice`);
  let getCase: (id: string) => Promise<TrainingCase>;
  if (source.kind === 'memory') {
    for (const trainingCase of source.cases) problems.push(...checkTrainingCase(trainingCase));
    const byId = new Map(source.cases.map((trainingCase) => [trainingCase.id, trainingCase]));
    getCase = async (id) => byId.get(id)!;
  } else {
    const refs = new Map(source.cases.map((ref) => [ref.id, ref]));
    const store = new CaseStore((id) => readCaseFiles(refs.get(id)!), source.cacheBytes);
    getCase = (id) => store.get(id);
  }
  if (problems.length > 0) throw new Error(`batch config: ${problems.join('; ')}`);
  return (index) => {
    if (!Number.isSafeInteger(index) || index < 0) return Promise.reject(new Error(`batch index must be a non-negative integer, got ${index}`));
    return buildBatch(index, caseIds, getCase, config);
  };
}
