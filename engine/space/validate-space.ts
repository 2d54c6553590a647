import { checkSearchSpaceShape, type Decision, type SearchPoint, type SearchSpace } from '../api/search-space.ts';
import type { Validated } from '../api/validation.ts';
import { validateGenome } from '../network/genome.ts';
import { isOpName, OP_NAMES } from '../network/op-registry.ts';
import { supernetGenome } from './genome-of-point.ts';

/** Macro combinations checked one by one; a space with more is refused rather than checked partly. */
const MAX_MACRO_COMBINATIONS = 10_000;

/** Every combination of the decisions that shape the genome besides the cell ops (topology, widths, enums). */
function macroPoints(macro: Decision[]): SearchPoint[] {
  return macro.reduce<SearchPoint[]>((points, decision) => points.flatMap((point) => decision.choices.map((_, index) => ({ ...point, [decision.id]: index }))), [{}]);
}

/**
 * Checks a parsed search-space document: its structure (engine/api/search-space.ts), the op names,
 * and that every point decodes to a genome that validateGenome accepts. The last check builds the
 * supernet genome of every macro combination: a child's cells are a selection of the supernet's
 * choices, so when every supernet validates, every point does. Errors name the field.
 */
export function validateSearchSpace(document: unknown): Validated<SearchSpace> {
  const shape = checkSearchSpaceShape(document);
  if (!shape.ok) return shape;
  const space = shape.value;
  const errors: string[] = [];
  space.decisions.forEach((decision, index) => {
    if (decision.kind !== 'cell-op') return;
    decision.choices.forEach((op, choice) => {
      if (!isOpName(op)) errors.push(`decisions[${index}].choices[${choice}]: "${op}" is not an op (${OP_NAMES.join(', ')})`);
    });
  });
  for (const part of ['encoder', 'decoder'] as const) {
    space.template[part]?.forEach((cells, level) =>
      cells.forEach((cell, index) => {
        if (typeof cell === 'string' && !isOpName(cell)) errors.push(`template.${part}[${level}][${index}]: "${cell}" is not an op (${OP_NAMES.join(', ')}) or { "decision": id }`);
      }),
    );
  }
  if (errors.length > 0) return { ok: false, errors };
  const macro = space.decisions.filter((decision) => decision.kind === 'topology' || decision.kind === 'widths' || decision.kind === 'enum');
  const combinations = macro.reduce((product, decision) => product * decision.choices.length, 1);
  if (combinations > MAX_MACRO_COMBINATIONS) return { ok: false, errors: [`decisions: ${combinations} macro combinations (topology x widths x enums), at most ${MAX_MACRO_COMBINATIONS} can be checked`] };
  for (const point of macroPoints(macro)) {
    const result = validateGenome(supernetGenome(space, point));
    if (!result.ok) {
      const where = macro.length > 0 ? ` with ${macro.map((decision) => `${decision.id} = ${JSON.stringify(decision.choices[point[decision.id]!])}`).join(', ')}` : '';
      const named = macro.filter((decision) => decision.kind === 'topology').map((decision) => ` (${decision.id}: ${decision.choices[point[decision.id]!]!.name})`).join('');
      return { ok: false, errors: result.errors.map((error) => `template${where}${named}: ${error}`) };
    }
  }
  return { ok: true, value: space };
}
