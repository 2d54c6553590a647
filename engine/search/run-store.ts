/**
 * The files of a search run, in <workspace>/runs/<runId>/:
 * - run.json: { schemaVersion, kind: 'search', runId, spec, state, createdAt, updatedAt }, written
 *   atomically; `state` (strategy state, trial list, counters) is always saved as one unit.
 * - events.jsonl: one SearchEvent per line, append-only. A kill -9 can cut the last line short:
 *   readers skip it, and a resumed run cuts it off before appending.
 * - candidates/<archId>/genome.json, trial.json (status), metrics.json (trained only): atomic writes.
 */
import { appendFile, mkdir, open, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { Genome } from '../api/genome.ts';
import { writeFileAtomic } from '../runtime/atomic-write.ts';
import type { CandidateMetrics, Json, Point, SearchBudgets, TrainingShape, TrialStatus } from './types.ts';

export const SEARCH_RUN_SCHEMA_VERSION = 1;

/** What defines a run: a rerun with the same spec continues it; another spec in the same folder is refused. */
export interface SearchRunSpec {
  space: string;
  strategy: { name: string; config: Json };
  evaluator: Json;
  budgets: SearchBudgets;
  training: TrainingShape;
  seed: number;
}

/** A proposed trial as run.json lists it (rejected: the reason, decided when proposed). */
export interface TrialEntry {
  index: number;
  archId: string;
  point: Point;
  rejected: string | null;
}

export type FinishReason = 'candidates' | 'wall-time' | 'exhausted';

export interface SearchRunState {
  strategy: Json;
  trials: TrialEntry[];
  /** Trials (a prefix of `trials`) whose results the strategy has observed; its state includes them. */
  observed: number;
  /** Search seconds of earlier sessions. */
  elapsedSeconds: number;
  finished: FinishReason | null;
}

export interface SearchRunFile {
  schemaVersion: 1;
  kind: 'search';
  runId: string;
  spec: SearchRunSpec;
  state: SearchRunState;
  createdAt: string;
  updatedAt: string;
}

/** candidates/<archId>/trial.json. */
export interface TrialFile {
  schemaVersion: 1;
  index: number;
  archId: string;
  point: Point;
  status: TrialStatus;
  /** Evaluation attempts started (an OOM retry or a re-run after an interruption adds one). */
  attempts: number;
  /** Batch size of the last attempt. */
  batch: number | null;
  reason: string | null;
  memoryBytes: number | null;
  /** Wall seconds of the last attempt, measured by the engine. */
  seconds: number | null;
  updatedAt: string;
}

export const runFolderOf = (workspace: string, runId: string): string => join(workspace, 'runs', runId);
export const candidateFolder = (runFolder: string, archId: string): string => join(runFolder, 'candidates', archId);

const writeJson = (path: string, value: unknown) => writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);

async function readJsonOrNull<T>(path: string): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message}); it was not written by VoxNAS's atomic writer: delete the run folder to start over`, { cause: error });
  }
}

export async function readRunFile(runFolder: string): Promise<SearchRunFile | null> {
  const run = await readJsonOrNull<SearchRunFile>(join(runFolder, 'run.json'));
  if (run && (run.schemaVersion !== SEARCH_RUN_SCHEMA_VERSION || run.kind !== 'search')) {
    throw new Error(`${join(runFolder, 'run.json')}: not a search run of schemaVersion ${SEARCH_RUN_SCHEMA_VERSION}; choose another run id`);
  }
  return run;
}

export const writeRunFile = (runFolder: string, run: SearchRunFile): Promise<void> => writeJson(join(runFolder, 'run.json'), run);

export const readTrialFile = (runFolder: string, archId: string): Promise<TrialFile | null> => readJsonOrNull(join(candidateFolder(runFolder, archId), 'trial.json'));

export const writeTrialFile = (runFolder: string, trial: TrialFile): Promise<void> => writeJson(join(candidateFolder(runFolder, trial.archId), 'trial.json'), trial);

export async function writeGenomeFile(runFolder: string, archId: string, genome: Genome): Promise<void> {
  await mkdir(candidateFolder(runFolder, archId), { recursive: true });
  await writeJson(join(candidateFolder(runFolder, archId), 'genome.json'), genome);
}

/** metrics.json: { schemaVersion: 1, archId, ...metrics }. */
export const writeMetricsFile = (runFolder: string, archId: string, metrics: CandidateMetrics): Promise<void> =>
  writeJson(join(candidateFolder(runFolder, archId), 'metrics.json'), { schemaVersion: 1, archId, ...metrics });

export async function readMetricsFile(runFolder: string, archId: string): Promise<CandidateMetrics | null> {
  const document = await readJsonOrNull<Record<string, Json>>(join(candidateFolder(runFolder, archId), 'metrics.json'));
  if (!document) return null;
  const { schemaVersion: _version, archId: _id, ...metrics } = document;
  return metrics as CandidateMetrics;
}

/** Cuts off a last line that a crash left without its newline, so appended events start on a fresh line. */
export async function repairEvents(runFolder: string): Promise<void> {
  const path = join(runFolder, 'events.jsonl');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return;
  }
  if (text.length === 0 || text.endsWith('\n')) return;
  await truncate(path, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
}

export async function appendEvent(runFolder: string, event: unknown): Promise<void> {
  await appendFile(join(runFolder, 'events.jsonl'), `${JSON.stringify(event)}\n`);
}

/** events.jsonl as objects, skipping a line that does not parse (a kill -9 can cut the last one short). */
export async function readEvents<T = Record<string, unknown>>(runFolder: string): Promise<T[]> {
  const text = await readFile(join(runFolder, 'events.jsonl'), 'utf8').catch(() => '');
  return text.split('\n').flatMap((line) => {
    try {
      return line.trim() ? [JSON.parse(line) as T] : [];
    } catch {
      return [];
    }
  });
}

/** Makes sure the run folder and its candidates folder exist. */
export async function ensureRunFolder(runFolder: string): Promise<void> {
  await mkdir(join(runFolder, 'candidates'), { recursive: true });
  // Touch events.jsonl so that readers find it from the first moment.
  await (await open(join(runFolder, 'events.jsonl'), 'a')).close();
}
