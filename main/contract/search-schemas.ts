/**
 * zod schemas of the Datasets, Search and Monitor commands (main/contract/search.ts), merged into
 * REQUEST_SCHEMAS by schemas.ts, built from the same pieces (schema-parts.ts) as the other commands'.
 */
import { z } from 'zod';
import { absolutePath, safeId } from './schema-parts.ts';
import { SEARCH_METHOD_IDS, type FoldChoice, type SearchCommands } from './search.ts';

const METHOD = `must be one of ${SEARCH_METHOD_IDS.map((id) => `'${id}'`).join(', ')}`;
/** A week: longer budgets are typing mistakes. */
const MAX_BUDGET_SECONDS = 7 * 24 * 3600;
const BUDGET = `must be a number of seconds from 1 to ${MAX_BUDGET_SECONDS} (a week)`;
const MEMORY = 'must be a number of GB above 0 and at most 4096';
const FOLD = "must be a fold from 0 to 4, or 'all'";
const POINT = 'must be a search point: an object of decision ids to choice indices (whole numbers from 0)';

const isPoint = (value: unknown) =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((index) => typeof index === 'number' && Number.isInteger(index) && index >= 0) && Object.keys(value).length <= 1000;

type SearchSchemas = { [K in keyof SearchCommands]: z.ZodType<SearchCommands[K]['request']> };

export function searchRequestSchemas() {
  const workspace = () => absolutePath();
  return {
    'dataset.details': z.strictObject({ workspace: workspace() }),
    'search.methods': z.strictObject({}),
    'search.estimate': z.strictObject({
      workspace: workspace(),
      method: z.enum(SEARCH_METHOD_IDS, { error: METHOD }),
      budgetSeconds: z.number({ error: BUDGET }).refine((seconds) => Number.isFinite(seconds) && seconds >= 1 && seconds <= MAX_BUDGET_SECONDS, { error: BUDGET }),
      memoryGb: z.number({ error: MEMORY }).refine((gb) => Number.isFinite(gb) && gb > 0 && gb <= 4096, { error: MEMORY }).optional(),
      fold: z.custom<FoldChoice>((value) => value === 'all' || (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 4), { error: FOLD }),
    }),
    'search.candidate': z.strictObject({
      workspace: workspace(),
      archId: safeId(),
      point: z.custom<Record<string, number>>(isPoint, { error: POINT }).optional(),
    }),
  } satisfies SearchSchemas;
}
