import type { SearchSpace } from '../api/search-space.ts';
import { readValidatedJson } from '../io/read-json-file.ts';
import { validateSearchSpace } from './validate-space.ts';

/** Reads and validates a search-space file (resources/search-spaces/*.json); every problem is reported at once. */
export const loadSearchSpace = (path: string): Promise<SearchSpace> =>
  readValidatedJson(path, validateSearchSpace, {
    unreadable: 'cannot be read',
    kind: 'search space',
    hint: 'Check the path of the search-space file (e.g. resources/search-spaces/ronasmis.json).',
    syntaxHint: 'Fix the JSON syntax.',
    invalidHint: 'Fix the fields named above.',
  });
