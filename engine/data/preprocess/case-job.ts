import type { PreprocessedCaseJson, SourceStamp } from '../../api/preprocessed.ts';
import { readVolume } from '../../io/read-volume.ts';
import { encodeCase, writeCase } from './case-file.ts';
import { preprocessVolumes, type CaseSettings } from './preprocess-case.ts';

/** Everything one case needs, as plain JSON (it crosses to a worker process). */
export interface CaseJob {
  caseId: string;
  /** Absolute paths: image files in channel order, and the label file (null: no label). */
  imagePaths: string[];
  labelPath: string | null;
  /** Stamps of the same files (relative paths), recorded in the header for cache checks. */
  sources: SourceStamp[];
  /** The cache folder, preprocessed/<dataId>/. */
  folder: string;
  settings: CaseSettings;
}

/** Reads, preprocesses and writes one case; the result depends on the job only (not on which process runs it). */
export async function runCaseJob(job: CaseJob): Promise<PreprocessedCaseJson> {
  const images = await Promise.all(job.imagePaths.map(async (path) => (await readVolume(path)).volume));
  const label = job.labelPath === null ? null : (await readVolume(job.labelPath)).volume;
  const { record, bytes } = encodeCase(preprocessVolumes(job.caseId, images, label, job.settings), job.sources);
  await writeCase(job.folder, record, bytes);
  return record;
}
