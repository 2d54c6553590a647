import type { Cell, Genome } from '../api/genome.ts';
import type { CellOpDecision, Decision, SearchPoint, SearchSpace, TemplateCell } from '../api/search-space.ts';
import type { ChoicePath } from '../network/cost-model.ts';
import type { OpName } from '../network/op-registry.ts';

/** A cell after the macro decisions: a fixed op, or the cell-op decision that fills it. */
type SlotCell = OpName | CellOpDecision;

interface Structure {
  widths: number[];
  encoder: SlotCell[][];
  decoder: SlotCell[][];
}

/** The chosen index of a decision; throws on a point that does not fit the space (a caller's bug, not input). */
export function chosenIndex(decision: Decision, point: SearchPoint): number {
  const index = point[decision.id];
  if (index === undefined || !Number.isInteger(index) || index < 0 || index >= decision.choices.length) {
    throw new RangeError(`search point: decision ${decision.id} needs an index from 0 to ${decision.choices.length - 1}, got ${JSON.stringify(index)}`);
  }
  return index;
}

function cellOpDecisions(space: SearchSpace): Map<string, CellOpDecision> {
  return new Map(space.decisions.filter((decision): decision is CellOpDecision => decision.kind === 'cell-op').map((decision) => [decision.id, decision]));
}

/** Levels, widths and cells once the macro decisions (topology, widths) of `point` are applied. */
function structure(space: SearchSpace, point: SearchPoint): Structure {
  const slots = cellOpDecisions(space);
  const slot = (cell: TemplateCell): SlotCell => (typeof cell === 'string' ? (cell as OpName) : slots.get(cell.decision)!);
  let encoder: SlotCell[][];
  let decoder: SlotCell[][];
  const topology = space.decisions.find((decision) => decision.kind === 'topology');
  if (topology) {
    const shape = topology.choices[chosenIndex(topology, point)]!;
    const layers = topology.layers.map((id) => slots.get(id)!);
    let next = 0;
    const take = (count: number) => layers.slice(next, (next += count));
    encoder = shape.encoder.map(take);
    // Execution order: the decoder runs from the coarsest level to the finest.
    const coarseFirst = [...shape.decoder].reverse().map(take);
    decoder = coarseFirst.reverse();
  } else {
    encoder = space.template.encoder!.map((cells) => cells.map(slot));
    decoder = space.template.decoder!.map((cells) => cells.map(slot));
  }
  const widthsDecision = space.decisions.find((decision) => decision.kind === 'widths');
  const widths = widthsDecision
    ? encoder.map((_, level) => Math.min(widthsDecision.choices[chosenIndex(widthsDecision, point)]! * 2 ** level, widthsDecision.maxWidth))
    : space.template.widths!.slice(0, encoder.length);
  return { widths, encoder, decoder };
}

function genomeWith(space: SearchSpace, point: SearchPoint, cell: (decision: CellOpDecision) => Cell): Genome {
  const { widths, encoder, decoder } = structure(space, point);
  const fill = (cells: SlotCell[]) => cells.map((entry) => (typeof entry === 'string' ? entry : cell(entry)));
  // Enum fields missing from the template are set below, from their decisions.
  const genome = { ...space.template, widths, encoder: encoder.map(fill), decoder: decoder.map(fill) } as Genome;
  for (const decision of space.decisions) {
    if (decision.kind === 'enum') Object.assign(genome, { [decision.field]: decision.choices[chosenIndex(decision, point)] });
  }
  return genome;
}

/** The child genome of a point. Patch-scale decisions are not part of it (see `pointPatchScale`). */
export function pointToGenome(space: SearchSpace, point: SearchPoint): Genome {
  return genomeWith(space, point, (decision) => decision.choices[chosenIndex(decision, point)] as OpName);
}

/**
 * The supernet genome: every cell-op decision becomes `{ choice: [its ops] }`, so its NetworkSpec
 * holds every option. Macro decisions (topology, widths, enums) come from `point` (default: the
 * first choice of each); its cell-op indices are ignored. Use the same point for `pointToPath`.
 */
export function supernetGenome(space: SearchSpace, point: SearchPoint = firstPoint(space)): Genome {
  return genomeWith(space, { ...firstPoint(space), ...point }, (decision) => ({ choice: decision.choices as OpName[] }));
}

/**
 * Which cell-op decision fills each choice cell of `supernetGenome(space, point)`: choice id (the
 * cell id of decode.ts, "enc1.cell0", "dec0.cell1") -> decision id. A differentiable search keys its
 * mixing weights by the choice id and its architecture parameters by the decision id.
 */
export function choiceDecisions(space: SearchSpace, point: SearchPoint): Record<string, string> {
  const { encoder, decoder } = structure(space, point);
  const decisions: Record<string, string> = {};
  const visit = (prefix: string, levels: SlotCell[][]) =>
    levels.forEach((cells, level) =>
      cells.forEach((entry, index) => {
        if (typeof entry !== 'string') decisions[`${prefix}${level}.cell${index}`] = entry.id;
      }),
    );
  visit('enc', encoder);
  visit('dec', decoder);
  return decisions;
}

/**
 * The choice path (engine/network/cost-model.ts) that selects this point's ops inside the supernet
 * of `supernetGenome(space, point)`: choice id = the cell id of decode.ts ("enc1.cell0", "dec0.cell1").
 */
export function pointToPath(space: SearchSpace, point: SearchPoint): ChoicePath {
  const byId = new Map(space.decisions.map((decision) => [decision.id, decision]));
  return Object.fromEntries(Object.entries(choiceDecisions(space, point)).map(([choice, decision]) => [choice, chosenIndex(byId.get(decision)!, point)]));
}

/** The patch times `factor`, each side rounded to a multiple of `divisor` (at least one). */
export function scaledPatch<T extends readonly [number, number, number]>(patch: T, factor: number, divisor: number): [number, number, number] {
  return patch.map((side) => Math.max(divisor, Math.round((side * factor) / divisor) * divisor)) as [number, number, number];
}

/** The patch factor a point chooses (1 when the space has no patch-scale decision). */
export function pointPatchScale(space: SearchSpace, point: SearchPoint): number {
  const decision = space.decisions.find((entry) => entry.kind === 'patch-scale');
  return decision ? decision.choices[chosenIndex(decision, point)]! : 1;
}

/** The point that takes the first choice of every decision. */
export function firstPoint(space: SearchSpace): SearchPoint {
  return Object.fromEntries(space.decisions.map((decision) => [decision.id, 0]));
}
