/**
 * The Datasets, Search and Monitor screens' services (main/contract/search.ts): the workspace's
 * fingerprint, findings and plan in full; the search methods; what a search would cost before it
 * starts (the engine's cost model on the plan's patch and batch, no TensorFlow.js); and one
 * candidate's genome and cost while a search runs. Everything is read from the workspace's files.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FingerprintJson } from '../../engine/api/fingerprint.ts';
import type { Genome } from '../../engine/api/genome.ts';
import type { IntegrityFinding } from '../../engine/api/integrity.ts';
import type { PlansJson, Triple } from '../../engine/api/plans.ts';
import type { SearchPoint, SearchSpace } from '../../engine/api/search-space.ts';
import {
  CPU_TRAINING_FLOPS,
  SEARCH_METHODS,
  archId as archIdOf,
  decodeGenome,
  firstPoint,
  isInputError,
  loadSearchSpace,
  migrateFingerprintJson,
  networkCost,
  pointPatchScale,
  pointToGenome,
  readPlansFile,
  resourcesDir,
  scaledPatch,
  supernetGenome,
  validateGenome,
} from '../../engine/index.ts';
import { ContractError } from '../contract/errors.ts';
import type { CandidateCost, DatasetDetails, NetworkEstimate, PlanDetails, SearchCommands, SearchEstimate, SearchEstimateRequest, SearchMethod } from '../contract/search.ts';
import { isSafeId } from '../contract/schemas.ts';
import { isRecord, readJsonOrNull } from './json-files.ts';
import type { Workspaces } from './workspaces.ts';

export interface SearchServices {
  details(workspace: string): Promise<DatasetDetails>;
  methods(): SearchMethod[];
  estimate(request: SearchEstimateRequest): Promise<SearchEstimate>;
  candidate(workspace: string, archId: string, point?: SearchPoint): Promise<CandidateCost>;
}

const REIMPORT = 'Import the dataset again to rewrite it.';
const GIB = 1024 ** 3;
const FOLDS = 5;

const exists = (path: string) => stat(path).then(() => true, () => false);

async function readFingerprint(folder: string): Promise<FingerprintJson | null> {
  const path = join(folder, 'fingerprint.json');
  const document = await readJsonOrNull(path, REIMPORT);
  if (document === null) return null;
  const migrated = migrateFingerprintJson(document);
  if (!migrated.ok) throw new ContractError('failed', `${path} is not valid: ${migrated.errors.join('; ')}. ${REIMPORT}`);
  return migrated.value;
}

const isFinding = (value: unknown): value is IntegrityFinding =>
  isRecord(value) && (value['severity'] === 'error' || value['severity'] === 'warning') && typeof value['message'] === 'string' && typeof value['hint'] === 'string' && typeof value['code'] === 'string';

/** integrity.json's findings as the import job wrote them (engine/api/integrity.ts); entries of another shape are refused, not guessed at. */
async function readFindings(folder: string): Promise<IntegrityFinding[] | null> {
  const path = join(folder, 'integrity.json');
  const document = await readJsonOrNull(path, REIMPORT);
  if (document === null) return null;
  const findings = isRecord(document) ? document['findings'] : undefined;
  if (!Array.isArray(findings) || !findings.every(isFinding)) throw new ContractError('failed', `${path} is not an integrity report (expected findings with severity, message and hint). ${REIMPORT}`);
  return findings.map((finding) => ({ ...finding, case: finding.case ?? null, file: finding.file ?? null }));
}

async function readPlans(folder: string): Promise<PlansJson | null> {
  if (!(await exists(join(folder, 'plans.json')))) return null;
  try {
    return await readPlansFile(folder);
  } catch (error) {
    if (isInputError(error)) throw new ContractError('failed', `${error.message} Run Plan again to rewrite it.`);
    throw error;
  }
}

export function planDetails(plans: PlansJson): PlanDetails {
  return {
    createdAt: plans.createdAt,
    targetSpacing: plans.targetSpacing,
    spacingRule: plans.spacingRule,
    medianShape: plans.medianShape,
    patchSize: plans.patchSize,
    batchSize: plans.batchSize,
    normalization: plans.preprocessing.normalization,
    network: { levels: plans.network.levels, baseWidth: plans.network.baseWidth, maxWidth: plans.network.maxWidth, deepSupervision: plans.network.deepSupervision },
    memory: { device: plans.memory.device, budgetBytes: plans.memory.budgetBytes, estimatedBytes: plans.memory.estimatedBytes },
    reasoning: plans.reasoning,
  };
}

/** "4 levels 8-16-32-64; conv3 x10, conv5 x4; strided-conv down; conv-add skips; deep supervision 2". */
export function genomeSummary(genome: Genome): string {
  const counts = new Map<string, number>();
  for (const cell of [...genome.encoder.flat(), ...genome.decoder.flat()]) {
    const name = typeof cell === 'string' ? cell : `mix of ${cell.choice.length}`;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const cells = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([name, count]) => `${name} x${count}`).join(', ');
  const supervision = genome.deepSupervision > 0 ? `; deep supervision ${genome.deepSupervision}` : '';
  return `${genome.widths.length} levels ${genome.widths.join('-')}; ${cells}; ${genome.down} down; ${genome.skip} skips${supervision}`;
}

/** (i, j, k) <-> tensor order [D, H, W] = [k, j, i]. */
const reversed = (triple: Triple): Triple => [triple[2], triple[1], triple[0]];


/** Cost of a genome (a child, or a supernet as a weighted mix) on the plan: training memory counted as plans.json counts it. */
function estimateOf(genome: Genome, plans: PlansJson, patchScale = 1): NetworkEstimate | { error: string } {
  let spec;
  try {
    spec = decodeGenome(genome, { inputChannels: plans.dataset.channels.length, classes: plans.labelValues.length });
  } catch (error) {
    return { error: `the genome does not decode: ${(error as Error).message}` };
  }
  const patchSize = scaledPatch(plans.patchSize, patchScale, spec.sizeDivisor);
  const cost = networkCost(spec, reversed(patchSize), plans.batchSize);
  if ('error' in cost) return cost;
  return {
    summary: genomeSummary(genome),
    parameters: cost.params,
    flops: cost.flops,
    memoryBytes: plans.memory.trainingFactor * cost.activationBytes + plans.memory.bytesPerParameter * cost.params,
    patchSize,
  };
}

/**
 * The costliest network of a space by training memory: coordinate ascent over the decisions (each
 * decision in turn takes its costliest choice, twice over). Exact when the decisions' costs add up,
 * as cell ops do; a close lower bound of the maximum otherwise (topology and widths interact).
 */
function largestNetwork(space: SearchSpace, plans: PlansJson, genomeOf: (point: SearchPoint) => Genome): NetworkEstimate | null {
  const evaluate = (point: SearchPoint) => {
    const estimate = estimateOf(genomeOf(point), plans, pointPatchScale(space, point));
    return 'error' in estimate ? null : estimate;
  };
  let point = firstPoint(space);
  let best = evaluate(point);
  for (let pass = 0; pass < 2; pass += 1) {
    for (const decision of space.decisions) {
      for (let choice = 0; choice < decision.choices.length; choice += 1) {
        const candidate = { ...point, [decision.id]: choice };
        const estimate = evaluate(candidate);
        if (estimate && (!best || estimate.memoryBytes > best.memoryBytes)) {
          best = estimate;
          point = candidate;
        }
      }
    }
  }
  return best;
}

async function loadSpace(name: string): Promise<SearchSpace> {
  try {
    return await loadSearchSpace(join(resourcesDir(), 'search-spaces', `${name}.json`));
  } catch (error) {
    if (isInputError(error)) throw new ContractError('failed', `The search space '${name}' cannot be read: ${error.message}`);
    throw error;
  }
}

const gib = (bytes: number) => `${(bytes / GIB).toFixed(2)} GiB`;
const minutes = (seconds: number) => (seconds < 120 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`);

/** Validation cases of one fold of five (what a job predicts at its end), at least one. */
const validationCases = (trainingCases: number) => Math.max(1, Math.ceil(trainingCases / FOLDS));

/** Forward FLOPs of one whole median-shaped case (batch 1), the patch-sized volume when that is larger. */
function caseFlops(genome: Genome, plans: PlansJson): number {
  const spec = decodeGenome(genome, { inputChannels: plans.dataset.channels.length, classes: plans.labelValues.length });
  const volume = plans.medianShape.map((side, axis) => Math.max(plans.patchSize[axis]!, Math.ceil(side / spec.sizeDivisor) * spec.sizeDivisor)) as Triple;
  const cost = networkCost(spec, reversed(volume), 1);
  return 'error' in cost ? 0 : cost.flops;
}

function costed(genome: Genome, plans: PlansJson, identity: { archId: string; runId: string | null; space: string | null }): CandidateCost {
  const estimate = estimateOf(genome, plans);
  if ('error' in estimate) throw new ContractError('failed', `Candidate ${identity.archId} cannot be costed on the plan: ${estimate.error}.`);
  return { ...estimate, ...identity, genome };
}

/** The genome a point stands for in the first search space whose decisions it names and whose child has this archId. */
async function genomeOfPoint(point: SearchPoint, archId: string): Promise<{ genome: Genome; space: string } | null> {
  const names = [...new Set(SEARCH_METHODS.flatMap((method) => (method.space ? [method.space] : [])))];
  for (const name of names) {
    const space = await loadSpace(name);
    const decisions = space.decisions;
    const fits = Object.keys(point).length === decisions.length && decisions.every((decision) => point[decision.id] !== undefined && point[decision.id]! < decision.choices.length);
    if (!fits) continue;
    const genome = pointToGenome(space, point);
    if (archIdOf(genome) === archId) return { genome, space: name };
  }
  return null;
}

export function createSearchServices(workspaces: Workspaces): SearchServices {
  async function requirePlans(folder: string): Promise<PlansJson> {
    const plans = await readPlans(folder);
    if (!plans) throw new ContractError('conflict', `${folder} has no plan yet (no plans.json): run Plan on the Datasets screen first, then estimate the search.`);
    return plans;
  }

  return {
    async details(workspace) {
      const folder = await workspaces.check(workspace);
      const [fingerprint, findings, plans] = await Promise.all([readFingerprint(folder), readFindings(folder), readPlans(folder)]);
      return { fingerprint, findings, plan: plans && planDetails(plans) };
    },

    methods: () => SEARCH_METHODS.map((method) => ({ ...method })),

    async estimate(request) {
      const folder = await workspaces.check(request.workspace);
      const plans = await requirePlans(folder);
      const method = SEARCH_METHODS.find((entry) => entry.id === request.method)!;
      const baseline = estimateOf(plans.network.genome, plans);
      if ('error' in baseline) throw new ContractError('failed', `The plan's baseline network cannot be costed: ${baseline.error}. Run Plan again.`);
      let largest: NetworkEstimate | null = null;
      if (method.space) {
        const space = await loadSpace(method.space);
        const mixes = method.id === 'darts' || method.id === 'gumbel';
        largest = largestNetwork(space, plans, (point) => (mixes ? supernetGenome(space, point) : pointToGenome(space, point)));
      }
      const memoryBudgetBytes = request.memoryGb === undefined ? plans.memory.budgetBytes : Math.round(request.memoryGb * GIB);
      const costliest = largest ?? baseline;
      const jobs = request.fold === 'all' ? FOLDS : 1;
      // The searched network is not known yet: its prediction is timed at the baseline's size.
      const perCase = caseFlops(plans.network.genome, plans) / CPU_TRAINING_FLOPS;
      // Each job predicts its fold's held-out cases, and the model folder's ONNX parity check runs one more inference.
      const predictionSeconds = jobs * (validationCases(plans.dataset.trainingCases) + 1) * perCase;
      const budgetSeconds = jobs * request.budgetSeconds;
      const stepSeconds = (3 * costliest.flops) / CPU_TRAINING_FLOPS;
      const notes: string[] = [];
      if (!method.implemented) notes.push(`${method.label} cannot start yet: ${method.reason}`);
      if (costliest.memoryBytes > memoryBudgetBytes) {
        notes.push(`The ${largest ? 'largest network of the search' : 'baseline'} needs about ${gib(costliest.memoryBytes)} for training, above the ${gib(memoryBudgetBytes)} budget: give more GPU memory${method.id === 'random' ? ' (random search skips candidates above the budget)' : ', or expect out-of-memory failures'}.`);
      }
      if (method.job === 'search') notes.push(`Half of each job's budget searches (${minutes(request.budgetSeconds / 2)}), the rest trains the selected network on the fold's training cases.`);
      if (request.budgetSeconds < 10 * stepSeconds) notes.push(`The budget allows fewer than ten training steps of the costliest network (about ${stepSeconds.toFixed(1)} s each on the CPU): expect a weak model.`);
      if (plans.memory.device === 'cpu') notes.push(`Times assume the CPU (WebAssembly) rate of about ${(CPU_TRAINING_FLOPS / 1e9).toFixed(1)} GFLOP/s measured on the reference U-Net; a GPU predicts faster.`);
      return {
        method: method.id,
        space: method.space,
        plan: planDetails(plans),
        baseline,
        largest,
        memoryBudgetBytes,
        memoryBudgetSource: request.memoryGb === undefined ? 'plan' : 'user',
        fitsMemory: costliest.memoryBytes <= memoryBudgetBytes,
        jobs,
        budgetSeconds,
        predictionSeconds,
        etaSeconds: budgetSeconds + predictionSeconds,
        notes,
      };
    },

    async candidate(workspace, archId, point) {
      const folder = await workspaces.check(workspace);
      if (!isSafeId(archId)) throw new ContractError('bad-request', `search.candidate: 'archId' must be an architecture id, got '${archId}'.`);
      const plans = await requirePlans(folder);
      const runs = (await readdir(join(folder, 'runs'), { withFileTypes: true }).catch(() => [])).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
      for (const runId of runs) {
        const path = join(folder, 'runs', runId, 'candidates', archId, 'genome.json');
        const document = await readJsonOrNull(path, 'The search rewrites it when it evaluates the candidate again.');
        if (document === null) continue;
        const validated = validateGenome(document);
        if (!validated.ok) throw new ContractError('failed', `${path} is not a valid genome: ${validated.errors.join('; ')}.`);
        if (archIdOf(validated.value) !== archId) throw new ContractError('failed', `${path} holds architecture ${archIdOf(validated.value)}, not ${archId}: the run folder was edited.`);
        return costed(validated.value, plans, { archId, runId, space: null });
      }
      if (point) {
        const decoded = await genomeOfPoint(point, archId);
        if (decoded) return costed(decoded.genome, plans, { archId, runId: null, space: decoded.space });
      }
      throw new ContractError('not-found', `No search run of ${folder} has a candidate ${archId} (runs/<run>/candidates/${archId}/genome.json)${point ? ', and its point decodes to another architecture in every search space' : ''}. It appears once the search has evaluated it.`);
    },
  };
}

type SearchHandlers = { [K in keyof SearchCommands]: (request: SearchCommands[K]['request']) => Promise<SearchCommands[K]['response']> };

/** The handlers createServices spreads into its table (main/services/index.ts). */
export function createSearchHandlers(workspaces: Workspaces): SearchHandlers {
  const search = createSearchServices(workspaces);
  return {
    'dataset.details': (request) => search.details(request.workspace),
    'search.methods': async () => search.methods(),
    'search.estimate': (request) => search.estimate(request),
    'search.candidate': (request) => search.candidate(request.workspace, request.archId, request.point),
  };
}
