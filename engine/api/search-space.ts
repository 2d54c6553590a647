/**
 * A search space as data (`resources/search-spaces/*.json`): a genome template plus explicit
 * decisions. A point of the space is plain JSON, `{ [decisionId]: choiceIndex }`, one index per
 * decision; `engine/space/` turns a point into a genome (engine/api/genome.ts), a supernet genome
 * and a choice path. This file holds the types and the structural check (shapes, ids, references);
 * `validateSearchSpace` in engine/space adds the op names and checks that every point decodes to a
 * valid genome.
 */
import type { Genome } from './genome.ts';
import { isRecord, type Validated } from './validation.ts';

export const SEARCH_SPACE_SCHEMA_VERSION = 1;

/** A template cell: a fixed op, or the slot of a cell-op decision (`{ "decision": "enc1.cell0" }`). */
export type TemplateCell = string | { decision: string };

/**
 * The genome every point starts from. `encoder`/`decoder` are left out when a topology decision
 * sets the cells, `widths` when a widths decision sets them, an enum field when a decision sets it.
 */
export interface GenomeTemplate extends Omit<Genome, 'widths' | 'encoder' | 'decoder' | EnumField>, Partial<Pick<Genome, EnumField>> {
  widths?: number[];
  encoder?: TemplateCell[][];
  decoder?: TemplateCell[][];
}

/** One op per cell: the cell of the template slot (or topology layer) that names this decision. */
export interface CellOpDecision {
  id: string;
  kind: 'cell-op';
  /** Op names of engine/network/op-registry.ts. */
  choices: string[];
}

/** Genome fields chosen from a list. */
export const ENUM_FIELDS = ['skip', 'down', 'up', 'deepSupervision'] as const;
export type EnumField = (typeof ENUM_FIELDS)[number];

export interface EnumDecision {
  id: string;
  kind: 'enum';
  field: EnumField;
  choices: Array<string | number>;
}

/** Width scaling: widths[level] = min(base * 2^level, maxWidth) for the chosen base. */
export interface WidthsDecision {
  id: string;
  kind: 'widths';
  /** Channels of the finest level. */
  choices: number[];
  maxWidth: number;
}

/**
 * Macro topology: levels and the assignment of layers to levels. `layers` names cell-op decisions;
 * they fill the cells in execution order (encoder level 0 .. bottleneck, then decoder levels from
 * the coarsest to the finest), so every layer exists in every topology.
 */
export interface TopologyDecision {
  id: string;
  kind: 'topology';
  layers: string[];
  choices: TopologyChoice[];
}

export interface TopologyChoice {
  name: string;
  /** Cells per encoder level, finest first, including the bottleneck (2 to 7 levels). */
  encoder: number[];
  /** Cells per decoder level, finest first: one level fewer than the encoder. */
  decoder: number[];
}

/** Patch scaling (compound scaling): a factor on the plan's patch size; not part of the genome. */
export interface PatchScaleDecision {
  id: string;
  kind: 'patch-scale';
  choices: number[];
}

export type Decision = CellOpDecision | EnumDecision | WidthsDecision | TopologyDecision | PatchScaleDecision;
export type DecisionKind = Decision['kind'];
export const DECISION_KINDS: DecisionKind[] = ['cell-op', 'enum', 'widths', 'topology', 'patch-scale'];

export interface SearchSpace {
  schemaVersion: 1;
  /** Short name, e.g. 'ronasmis'. */
  name: string;
  /** Which paper the space follows and what is simplified. */
  description: string;
  template: GenomeTemplate;
  /** In a fixed order: a controller's index vector follows it. */
  decisions: Decision[];
}

/** A point: the chosen index of every decision. */
export type SearchPoint = Record<string, number>;

const positiveInteger = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value > 0;

/** Checks the choices of one decision by kind; returns nothing, pushes errors naming `where`. */
function checkChoices(decision: Record<string, unknown>, where: string, errors: string[]): void {
  const choices = decision['choices'];
  if (!Array.isArray(choices) || choices.length < 2) {
    errors.push(`${where}.choices: expected a list of at least 2 choices`);
    return;
  }
  const keys = choices.map((choice: unknown) => (isRecord(choice) ? JSON.stringify([choice['encoder'], choice['decoder']]) : JSON.stringify(choice)));
  if (new Set(keys).size !== keys.length) errors.push(`${where}.choices: a choice is listed twice`);
  const kind = decision['kind'];
  choices.forEach((choice: unknown, index) => {
    const at = `${where}.choices[${index}]`;
    if (kind === 'cell-op' && (typeof choice !== 'string' || choice === '')) errors.push(`${at}: expected an op name`);
    if (kind === 'enum' && typeof choice !== 'string' && typeof choice !== 'number') errors.push(`${at}: expected a string or a number`);
    if (kind === 'widths' && !positiveInteger(choice)) errors.push(`${at}: expected a positive integer (channels of the finest level)`);
    if (kind === 'patch-scale' && !(typeof choice === 'number' && choice > 0 && choice <= 4)) errors.push(`${at}: expected a factor in (0, 4]`);
    if (kind === 'topology') checkTopologyChoice(choice, at, errors);
  });
}

function checkTopologyChoice(choice: unknown, at: string, errors: string[]): void {
  if (!isRecord(choice) || typeof choice['name'] !== 'string') {
    errors.push(`${at}: expected { name, encoder: [cells per level], decoder: [cells per level] }`);
    return;
  }
  const { encoder, decoder } = choice;
  const counts = (value: unknown): value is number[] => Array.isArray(value) && value.every(positiveInteger);
  if (!counts(encoder) || encoder.length < 2 || encoder.length > 7) errors.push(`${at}.encoder: expected 2 to 7 positive cell counts`);
  else if (!counts(decoder) || decoder.length !== encoder.length - 1) errors.push(`${at}.decoder: expected ${encoder.length - 1} positive cell counts (one per level above the bottleneck)`);
}

function checkDecision(decision: unknown, where: string, errors: string[]): void {
  if (!isRecord(decision)) {
    errors.push(`${where}: expected an object { id, kind, choices }`);
    return;
  }
  if (typeof decision['id'] !== 'string' || decision['id'] === '') errors.push(`${where}.id: expected a non-empty string`);
  const kind = decision['kind'];
  if (!DECISION_KINDS.includes(kind as DecisionKind)) {
    errors.push(`${where}.kind: expected one of ${DECISION_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
    return;
  }
  checkChoices(decision, where, errors);
  if (kind === 'enum' && !ENUM_FIELDS.includes(decision['field'] as EnumField)) errors.push(`${where}.field: expected one of ${ENUM_FIELDS.join(', ')}, got ${JSON.stringify(decision['field'])}`);
  if (kind === 'widths' && !positiveInteger(decision['maxWidth'])) errors.push(`${where}.maxWidth: expected a positive integer`);
  if (kind === 'topology') {
    const layers = decision['layers'];
    if (!Array.isArray(layers) || layers.length === 0 || !layers.every((layer) => typeof layer === 'string')) errors.push(`${where}.layers: expected a non-empty list of cell-op decision ids`);
    else if (Array.isArray(decision['choices'])) {
      decision['choices'].forEach((choice: unknown, index) => {
        if (!isRecord(choice) || !Array.isArray(choice['encoder']) || !Array.isArray(choice['decoder'])) return;
        const total = [...choice['encoder'], ...choice['decoder']].reduce((sum: number, count) => sum + (typeof count === 'number' ? count : 0), 0);
        if (total !== layers.length) errors.push(`${where}.choices[${index}]: assigns ${total} cells, expected ${layers.length} (one per layer)`);
      });
    }
  }
}

/**
 * The structural check of a search-space document: fields, decision shapes, unique ids, and that
 * every cell-op decision is used by exactly one template slot or topology layer. Errors name the field.
 */
export function checkSearchSpaceShape(document: unknown): Validated<SearchSpace> {
  if (!isRecord(document)) return { ok: false, errors: ['search space: expected a JSON object'] };
  const errors: string[] = [];
  if (document['schemaVersion'] !== SEARCH_SPACE_SCHEMA_VERSION) errors.push(`schemaVersion: expected ${SEARCH_SPACE_SCHEMA_VERSION}, got ${JSON.stringify(document['schemaVersion'])}`);
  if (typeof document['name'] !== 'string' || document['name'] === '') errors.push('name: expected a non-empty string');
  if (typeof document['description'] !== 'string') errors.push('description: expected a string (the paper followed and what is simplified)');
  const decisions = document['decisions'];
  if (!Array.isArray(decisions) || decisions.length === 0) errors.push('decisions: expected a non-empty list');
  else decisions.forEach((decision: unknown, index) => checkDecision(decision, `decisions[${index}]`, errors));
  if (!isRecord(document['template'])) errors.push('template: expected a genome template object');
  const known = new Set(['schemaVersion', 'name', 'description', 'template', 'decisions']);
  for (const key of Object.keys(document)) if (!known.has(key)) errors.push(`${key}: unknown field`);
  if (errors.length > 0) return { ok: false, errors };
  const space = document as unknown as SearchSpace;
  checkReferences(space, errors);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: space };
}

/** Ids unique; one decision per enum field, at most one widths, topology and patch-scale decision; slots used exactly once. */
function checkReferences(space: SearchSpace, errors: string[]): void {
  const ids = space.decisions.map((decision) => decision.id);
  ids.forEach((id, index) => {
    if (ids.indexOf(id) !== index) errors.push(`decisions[${index}].id: "${id}" is used twice`);
  });
  for (const kind of ['widths', 'topology', 'patch-scale'] as const) {
    if (space.decisions.filter((decision) => decision.kind === kind).length > 1) errors.push(`decisions: at most one ${kind} decision`);
  }
  for (const field of ENUM_FIELDS) {
    const setting = space.decisions.filter((decision) => decision.kind === 'enum' && decision.field === field);
    if (setting.length > 1) errors.push(`decisions: two enum decisions set ${field}`);
    if (setting.length > 0 && space.template[field] !== undefined) errors.push(`template.${field}: leave it out, the decision "${setting[0]!.id}" sets it`);
  }
  const cellOps = new Set(space.decisions.filter((decision) => decision.kind === 'cell-op').map((decision) => decision.id));
  const uses = new Map<string, number>();
  const use = (id: string, where: string) => {
    if (!cellOps.has(id)) errors.push(`${where}: "${id}" is not a cell-op decision`);
    uses.set(id, (uses.get(id) ?? 0) + 1);
  };
  const topology = space.decisions.find((decision) => decision.kind === 'topology');
  topology?.layers.forEach((id, index) => use(id, `decisions.${topology.id}.layers[${index}]`));
  const { template } = space;
  for (const part of ['encoder', 'decoder'] as const) {
    const levels = template[part];
    if (topology) {
      if (levels !== undefined) errors.push(`template.${part}: leave it out, the topology decision "${topology.id}" sets the cells`);
      continue;
    }
    if (!Array.isArray(levels) || !levels.every(Array.isArray)) {
      errors.push(`template.${part}: expected a list of levels, each a list of cells`);
      continue;
    }
    levels.forEach((cells, level) =>
      cells.forEach((cell, index) => {
        if (isRecord(cell)) use(String(cell['decision']), `template.${part}[${level}][${index}]`);
      }),
    );
  }
  const widthsDecision = space.decisions.some((decision) => decision.kind === 'widths');
  if (widthsDecision && template.widths !== undefined) errors.push('template.widths: leave it out, the widths decision sets them');
  if (!widthsDecision && template.widths === undefined) errors.push('template.widths: expected the widths (or a widths decision)');
  for (const id of cellOps) {
    const count = uses.get(id) ?? 0;
    if (count !== 1) errors.push(`decisions.${id}: a cell-op decision must fill exactly one cell (template slot or topology layer), used ${count} times`);
  }
}
