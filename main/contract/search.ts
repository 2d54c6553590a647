/**
 * The Datasets, Search and Monitor screens' commands (part of the one contract, composed into
 * `Commands` in index.ts): the dataset's fingerprint, integrity findings and plan in full, the
 * search methods the engine offers, the plan's cost estimate for a search before it starts, and the
 * cost of one candidate architecture of a running search.
 * Pure types and constants, like index.ts: preload and renderer import it.
 */
import type { FingerprintJson } from '../../engine/api/fingerprint.ts';
import type { Genome } from '../../engine/api/genome.ts';
import type { IntegrityFinding } from '../../engine/api/integrity.ts';
import type { ChannelNormalization, Triple } from '../../engine/api/plans.ts';
import type { SearchMethod, SearchMethodId } from '../../engine/api/search-methods.ts';

export type { SearchMethod, SearchMethodId } from '../../engine/api/search-methods.ts';

export interface SearchCommands {
  /** fingerprint.json, integrity.json's findings (each with its hint) and plans.json of the workspace, each null while absent. */
  'dataset.details': { request: { workspace: string }; response: DatasetDetails };
  /** Every search method with a one-line explanation, and whether the installed engine runs it (the reason when not). */
  'search.methods': { request: Record<string, never>; response: SearchMethod[] };
  /**
   * What a search (or the baseline) would cost on the workspace's plan before it starts: the plan,
   * parameters, FLOPs and training memory of the baseline and of the largest network the method may
   * train, whether it fits the memory budget, and the ETA (the wall budget plus prediction time).
   */
  'search.estimate': { request: SearchEstimateRequest; response: SearchEstimate };
  /**
   * One candidate of a search: its genome (runs/<runId>/candidates/<archId>/genome.json, or, for a
   * one-shot child that has no file, the search point its event carried), a summary and its cost on the plan.
   */
  'search.candidate': { request: { workspace: string; archId: string; point?: Record<string, number> }; response: CandidateCost };
}

/**
 * The method ids the contract accepts: engine/api/search-methods.ts's list, repeated here because
 * the contract may import only types from the engine; the two checks below keep them equal.
 */
export const SEARCH_METHOD_IDS = ['enas', 'darts', 'gumbel', 'c2fnas', 'random', 'baseline'] as const satisfies readonly SearchMethodId[];
type MissingMethodIds = Exclude<SearchMethodId, (typeof SEARCH_METHOD_IDS)[number]>;
export const EVERY_METHOD_ID_LISTED: MissingMethodIds extends never ? true : never = true;

export const SEARCH_COMMAND_NAMES = ['dataset.details', 'search.methods', 'search.estimate', 'search.candidate'] as const satisfies readonly (keyof SearchCommands)[];

/** Fold 0-4, or 'all': one job per fold (five-fold cross-validation). */
export type FoldChoice = number | 'all';

export interface SearchEstimateRequest {
  workspace: string;
  method: SearchMethodId;
  /** The whole job's wall budget (search + final training, or the baseline's training), seconds. */
  budgetSeconds: number;
  /** Training-memory budget of the device in GB (GiB); default: the plan's. */
  memoryGb?: number;
  fold: FoldChoice;
}

export interface DatasetDetails {
  fingerprint: FingerprintJson | null;
  /** The import's integrity findings (case, file, message and what to do), dataset-level first; null without integrity.json. */
  findings: IntegrityFinding[] | null;
  plan: PlanDetails | null;
}

/** plans.json as the screens show it; triples in (i, j, k) order, as in the file. */
export interface PlanDetails {
  createdAt: string;
  targetSpacing: Triple;
  spacingRule: string;
  medianShape: Triple;
  patchSize: Triple;
  batchSize: number;
  normalization: ChannelNormalization[];
  network: { levels: number; baseWidth: number; maxWidth: number; deepSupervision: boolean };
  memory: { device: 'cpu' | 'gpu'; budgetBytes: number; estimatedBytes: number };
  /** Each planning decision as a sentence with its numbers. */
  reasoning: string[];
}

/** Cost-model numbers of one network on the plan's patch and batch. */
export interface NetworkEstimate {
  /** e.g. "4 levels 8-16-32-64; cells 3x3x3 x14; max-pool down; conv-add skips". */
  summary: string;
  parameters: number;
  /** FLOPs of one forward pass over a batch. */
  flops: number;
  /** Training memory: trainingFactor x activations + bytesPerParameter x parameters (as the plan counts it). */
  memoryBytes: number;
  /** (i, j, k) patch the estimate used (a C2FNAS patch scale may enlarge the plan's). */
  patchSize: Triple;
}

export interface SearchEstimate {
  method: SearchMethodId;
  /** The search space the method uses; null for the baseline. */
  space: string | null;
  plan: PlanDetails;
  baseline: NetworkEstimate;
  /**
   * The costliest network the method may train: the largest child of the space (one path) for
   * ENAS, random search and C2FNAS, the whole weighted mix for V-NAS and Gumbel; null for the baseline.
   */
  largest: NetworkEstimate | null;
  memoryBudgetBytes: number;
  /** Where the budget comes from: what the user typed, or the plan's. */
  memoryBudgetSource: 'user' | 'plan';
  fitsMemory: boolean;
  /** How many jobs Start launches (5 for fold 'all'). */
  jobs: number;
  /** Wall budget of all jobs. */
  budgetSeconds: number;
  /** Inference on the held-out cases and the model's ONNX check at the end of each job, all jobs. */
  predictionSeconds: number;
  etaSeconds: number;
  /** Sentences worth reading before starting (memory, budget too short for a step, CPU rate assumed). */
  notes: string[];
}

export interface CandidateCost extends NetworkEstimate {
  archId: string;
  /** runs/<runId> the genome file was found in; null when it was decoded from the point. */
  runId: string | null;
  /** The search space the point was decoded in; null when read from a genome file. */
  space: string | null;
  genome: Genome;
}
