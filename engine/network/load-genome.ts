import type { Genome } from '../api/genome.ts';
import { readValidatedJson } from '../io/read-json-file.ts';
import { validateGenome } from './genome.ts';

/** Reads and validates a genome file; every problem is reported at once. */
export const loadGenome = (path: string): Promise<Genome> =>
  readValidatedJson(path, validateGenome, {
    unreadable: 'cannot be read',
    kind: 'genome',
    hint: 'Check the path of the genome file (e.g. resources/genomes/reference-unet.json).',
    syntaxHint: 'Fix the JSON syntax.',
    invalidHint: 'Fix the fields named above.',
  });
