import { createHash } from 'node:crypto';
import type { Cell, Genome } from '../api/genome.ts';
import { isRecord, type Validated } from '../api/validation.ts';
import { isOpName, OP_NAMES, type OpName } from './op-registry.ts';

export const GENOME_SCHEMA_VERSION = 1;

/** JSON with object keys sorted at every level: the same genome always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Architecture id: the first 16 hex digits of the SHA-256 of the canonical genome. */
export function archId(genome: Genome): string {
  return createHash('sha256').update(canonicalJson(genome)).digest('hex').slice(0, 16);
}

export const isChoice = (cell: Cell): cell is { choice: OpName[] } => typeof cell === 'object';

/** True when no cell is a choice: a child network, trainable on its own. */
export function isConcrete(genome: Genome): boolean {
  return [...genome.encoder, ...genome.decoder].every((cells) => cells.every((cell) => !isChoice(cell)));
}

function validateCells(levels: unknown, field: string, count: number, errors: string[]): void {
  if (!Array.isArray(levels) || levels.length !== count) {
    errors.push(`${field}: expected ${count} levels, got ${Array.isArray(levels) ? levels.length : JSON.stringify(levels)}`);
    return;
  }
  levels.forEach((cells: unknown, level) => {
    if (!Array.isArray(cells) || cells.length === 0) {
      errors.push(`${field}[${level}]: expected a non-empty list of cells`);
      return;
    }
    cells.forEach((cell: unknown, index) => {
      const where = `${field}[${level}][${index}]`;
      if (isOpName(cell)) return;
      if (isRecord(cell) && Array.isArray(cell['choice']) && cell['choice'].length > 0 && cell['choice'].every(isOpName)) {
        if (new Set(cell['choice']).size !== cell['choice'].length) errors.push(`${where}: a choice lists an op twice`);
        return;
      }
      errors.push(`${where}: ${JSON.stringify(cell)} is not an op (${OP_NAMES.join(', ')}) or {"choice": [ops]}`);
    });
  });
}

/** A cell that changes the channel count cannot be `identity` (nor offer it as a choice). */
function checkChannelChanges(genome: Genome, errors: string[]): void {
  const mayBeIdentity = (cell: Cell) => cell === 'identity' || (isChoice(cell) && cell.choice.includes('identity'));
  genome.encoder.forEach((cells, level) => {
    const inputChannels = level === 0 ? null : genome.widths[level - 1]!;
    // Level 0 takes the image channels, unknown here: its first cell must convolve.
    if ((inputChannels === null || inputChannels !== genome.widths[level]) && mayBeIdentity(cells[0]!)) {
      errors.push(`encoder[${level}][0]: the first cell changes the channel count (to ${genome.widths[level]}), so it cannot be identity`);
    }
  });
  if (genome.skip === 'concat') {
    genome.decoder.forEach((cells, level) => {
      if (mayBeIdentity(cells[0]!)) errors.push(`decoder[${level}][0]: with concatenated skips the first cell halves the channels, so it cannot be identity`);
    });
  }
}

const positiveInteger = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value > 0;

/** Checks a parsed genome; errors name the field and say what is expected. */
export function validateGenome(document: unknown): Validated<Genome> {
  if (!isRecord(document)) return { ok: false, errors: ['genome: expected a JSON object'] };
  const errors: string[] = [];
  if (document['schemaVersion'] !== GENOME_SCHEMA_VERSION) errors.push(`schemaVersion: expected ${GENOME_SCHEMA_VERSION}, got ${JSON.stringify(document['schemaVersion'])}`);
  const widths = document['widths'];
  if (!Array.isArray(widths) || widths.length < 2 || widths.length > 7 || !widths.every(positiveInteger)) {
    errors.push('widths: expected 2 to 7 positive integers (channels per level, finest first)');
    return { ok: false, errors };
  }
  validateCells(document['encoder'], 'encoder', widths.length, errors);
  validateCells(document['decoder'], 'decoder', widths.length - 1, errors);
  const oneOf = (field: string, allowed: string[]) => {
    if (!allowed.includes(document[field] as string)) errors.push(`${field}: expected one of ${allowed.join(', ')}, got ${JSON.stringify(document[field])}`);
  };
  oneOf('skip', ['add', 'conv-add', 'concat']);
  oneOf('down', ['max-pool', 'strided-conv']);
  oneOf('up', ['transposed-conv', 'trilinear-conv']);
  const deep = document['deepSupervision'];
  if (typeof deep !== 'number' || !Number.isInteger(deep) || deep < 0 || deep > widths.length - 2) {
    errors.push(`deepSupervision: expected an integer from 0 to ${widths.length - 2} (one head per decoder level below the finest)`);
  }
  const alpha = document['leakyReluAlpha'];
  if (typeof alpha !== 'number' || !(alpha >= 0 && alpha < 1)) errors.push('leakyReluAlpha: expected a number in [0, 1)');
  const epsilon = document['normEpsilon'];
  if (typeof epsilon !== 'number' || !(epsilon > 0 && epsilon < 1)) errors.push('normEpsilon: expected a small positive number (e.g. 1e-5)');
  const known = new Set(['schemaVersion', 'widths', 'encoder', 'decoder', 'skip', 'down', 'up', 'deepSupervision', 'leakyReluAlpha', 'normEpsilon']);
  for (const key of Object.keys(document)) if (!known.has(key)) errors.push(`${key}: unknown field`);
  if (errors.length > 0) return { ok: false, errors };
  const genome = document as unknown as Genome;
  checkChannelChanges(genome, errors);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: genome };
}
