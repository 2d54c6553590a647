/**
 * The search methods the UI offers, as plain data: what each is called, one sentence on how it
 * works, which job runs it, which search space it uses by default, and whether the installed engine
 * runs it yet. No imports: the renderer may import these types, and main reads the list through
 * engine/index.ts without loading the search code (which pulls in TensorFlow.js).
 *
 * Keep in sync with engine/search/search-job.ts (SEARCH_STRATEGIES, DEFAULT_SPACES) and with the
 * strategies that engine/jobs/search-job.ts accepts: a method is `implemented` only when a 'search'
 * job with its strategy runs end to end.
 */

export const SEARCH_METHOD_IDS = ['enas', 'darts', 'gumbel', 'c2fnas', 'random', 'baseline'] as const;
export type SearchMethodId = (typeof SEARCH_METHOD_IDS)[number];

export interface SearchMethod {
  id: SearchMethodId;
  /** What the researcher sees. */
  label: string;
  /** One line: how it searches, in plain words. */
  explanation: string;
  /** 'search' runs engine/search/search-job.ts with `strategy`; 'train' trains the plan's baseline U-Net. */
  job: 'search' | 'train';
  /** The search job's strategy param; null for the baseline. */
  strategy: string | null;
  /** The search space (resources/search-spaces/<space>.json) the strategy uses unless told otherwise; null for the baseline. */
  space: string | null;
  /** Whether the engine runs it; when false, `reason` says why (shown next to the disabled choice). */
  implemented: boolean;
  reason: string | null;
}

export const SEARCH_METHODS: readonly SearchMethod[] = [
  {
    id: 'enas',
    label: 'RONASMIS / ENAS',
    explanation: 'An LSTM controller picks the op of every cell; children share one supernet\'s weights, so hundreds are scored in the time of one training.',
    job: 'search',
    strategy: 'enas',
    space: 'ronasmis',
    implemented: true,
    reason: null,
  },
  {
    id: 'darts',
    label: 'V-NAS (DARTS)',
    explanation: 'Every cell runs all ops mixed by learned softmax weights; the strongest op per cell is kept and the network retrained.',
    job: 'search',
    strategy: 'darts',
    space: 'vnas',
    implemented: true,
    reason: null,
  },
  {
    id: 'gumbel',
    label: 'SCNAS (Gumbel-softmax)',
    explanation: 'Like V-NAS, but each step samples one op per cell with Gumbel noise and an annealed temperature, so a step costs one path.',
    job: 'search',
    strategy: 'gumbel',
    space: 'vnas',
    implemented: true,
    reason: null,
  },
  {
    id: 'c2fnas',
    label: 'C2FNAS (coarse to fine)',
    explanation: 'First the U-Net topology by clustered evolution, then the cell ops with a one-shot supernet, then width, depth and patch under the memory budget.',
    job: 'search',
    strategy: 'c2fnas',
    space: 'c2fnas',
    implemented: true,
    reason: null,
  },
  {
    id: 'random',
    label: 'Random search',
    explanation: 'Samples architectures at random and trains each briefly from scratch: a slow but honest reference for the other methods.',
    job: 'search',
    strategy: 'random',
    space: 'ronasmis',
    implemented: true,
    reason: null,
  },
  {
    id: 'baseline',
    label: 'Baseline only',
    explanation: 'No search: trains the plan\'s nnU-Net-style U-Net for the whole budget, the reference every search must beat.',
    job: 'train',
    strategy: null,
    space: null,
    implemented: true,
    reason: null,
  },
];

export const isSearchMethodId = (value: unknown): value is SearchMethodId => typeof value === 'string' && (SEARCH_METHOD_IDS as readonly string[]).includes(value);
