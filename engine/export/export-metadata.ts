import type { Cell, Genome } from '../api/genome.ts';
import type { ExportedOnnxMetadata, OnnxMetadata } from '../api/onnx-metadata.ts';
import type { ChoicePath } from '../network/cost-model.ts';
import { archId, isChoice } from '../network/genome.ts';
import { allNodes, type NetworkSpec } from '../network/spec.ts';
import { OnnxExportError } from './active-graph.ts';
import { METADATA_KEYS, METADATA_VERSION } from './onnx-metadata-props.ts';

/**
 * The child genome a path picks out of a supernet genome. Choice ids are the cells' structural ids
 * as decodeGenome assigns them (`enc<level>.cell<index>`, `dec<level>.cell<index>`); every choice of
 * the spec must be found that way with the same options, or the export stops (the naming drifted).
 */
function childGenome(genome: Genome, spec: NetworkSpec, path: ChoicePath): Genome {
  const specChoices = new Map(allNodes(spec.nodes).flatMap((node) => (node.op === 'choice' ? [[node.id, node.options.map((option) => option.op).join(',')] as const] : [])));
  const found = new Set<string>();
  const pick = (prefix: string) => (cells: Cell[], level: number) =>
    cells.map((cell, index): Cell => {
      if (!isChoice(cell)) return cell;
      const id = `${prefix}${level}.cell${index}`;
      if (specChoices.get(id) !== cell.choice.join(',')) throw new OnnxExportError(`genome cell ${id} is a choice that the NetworkSpec does not have: decodeGenome's choice ids changed; update engine/export/export-metadata.ts`);
      found.add(id);
      return cell.choice[path[id]!]!;
    });
  const child = { ...genome, encoder: genome.encoder.map(pick('enc')), decoder: genome.decoder.map(pick('dec')) };
  const missed = [...specChoices.keys()].filter((id) => !found.has(id));
  if (missed.length > 0) throw new OnnxExportError(`choices ${missed.join(', ')} of the NetworkSpec are not cells of the genome`);
  return child;
}

const positiveTriple = (value: unknown): boolean => Array.isArray(value) && value.length === 3 && value.every((item) => typeof item === 'number' && Number.isFinite(item) && item > 0);

/**
 * Checks the caller's metadata against the spec and adds what the exporter knows. `path` must
 * already be checked against the spec (activeGraph does). For a supernet the written genome is the
 * child the path selects, and `supernet` records where it came from.
 */
export function exportedMetadata(spec: NetworkSpec, metadata: OnnxMetadata, path: ChoicePath, voxnasVersion: string): ExportedOnnxMetadata {
  const problems: string[] = [];
  const givenArchId = archId(metadata.genome);
  if (givenArchId !== spec.archId) problems.push(`genome: its archId ${givenArchId} is not the NetworkSpec's (${spec.archId}); pass the genome the spec was decoded from`);
  if (metadata.channelNames.length !== spec.inputChannels) problems.push(`channelNames: ${metadata.channelNames.length} names for ${spec.inputChannels} input channels`);
  if (metadata.labelNames.length !== spec.classes) problems.push(`labelNames: ${metadata.labelNames.length} names for ${spec.classes} classes (background included)`);
  const values = metadata.labelValues;
  if (values.length !== spec.classes || !values.every((value) => Number.isInteger(value) && value >= 0) || new Set(values).size !== values.length) {
    problems.push(`labelValues: expected ${spec.classes} distinct non-negative integers (one per class), got ${JSON.stringify(values)}`);
  }
  if (!positiveTriple(metadata.targetSpacing)) problems.push('targetSpacing: expected 3 positive numbers (mm, [D, H, W])');
  if (!positiveTriple(metadata.patchSize) || metadata.patchSize.some((size) => !Number.isInteger(size) || size % spec.sizeDivisor !== 0)) {
    problems.push(`patchSize: expected 3 positive multiples of ${spec.sizeDivisor}, got ${JSON.stringify(metadata.patchSize)}`);
  }
  const reserved = new Set<string>(METADATA_KEYS);
  for (const [key, value] of Object.entries(metadata.extra ?? {})) {
    if (reserved.has(key)) problems.push(`extra.${key}: the exporter writes this key itself`);
    if (typeof value !== 'string') problems.push(`extra.${key}: expected a string`);
  }
  if (problems.length > 0) throw new OnnxExportError(`metadata does not fit the network: ${problems.join('; ')}`);
  const hasChoices = allNodes(spec.nodes).some((node) => node.op === 'choice');
  const genome = hasChoices ? childGenome(metadata.genome, spec, path) : metadata.genome;
  return {
    ...metadata,
    genome,
    metadataVersion: METADATA_VERSION,
    voxnasVersion,
    archId: archId(genome),
    supernet: hasChoices ? { archId: spec.archId, choicePath: { ...path } } : null,
    inputChannels: spec.inputChannels,
    classes: spec.classes,
    sizeDivisor: spec.sizeDivisor,
  };
}
