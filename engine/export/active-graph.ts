import type { ChoicePath } from '../network/cost-model.ts';
import { allNodes, type ChoiceNode, type LayerNode, type NetworkSpec } from '../network/spec.ts';

/** Why an export cannot be written; the message names the node, parameter or field and what to do. */
export class OnnxExportError extends Error {
  override name = 'OnnxExportError';
}

export type PlainNode = Exclude<LayerNode, ChoiceNode>;

/** The computation of one output of a spec, with every choice resolved along a path. */
export interface ActiveGraph {
  /** Nodes the output depends on, in topological order; the input node first. No choice nodes. */
  nodes: PlainNode[];
  /** The id of the node that computes `id`'s value (a chosen option's output, or `id` itself). */
  source(id: string): string;
  /** The output's own node (after `source`). */
  output: string;
}

export const nodeInputs = (node: LayerNode): string[] => (node.op === 'input' ? [] : 'inputs' in node ? [...node.inputs] : [node.input]);

function optionList(choice: ChoiceNode): string {
  return choice.options.map((option, index) => `${index} = ${option.op}`).join(', ');
}

function checkPath(spec: NetworkSpec, path: ChoicePath): void {
  const choices = new Map(allNodes(spec.nodes).flatMap((node) => (node.op === 'choice' ? [[node.id, node] as const] : [])));
  for (const [id, index] of Object.entries(path)) {
    const choice = choices.get(id);
    if (!choice) {
      const known = [...choices.keys()];
      throw new OnnxExportError(`options.path names ${id}, which is not a choice of this network (${known.length > 0 ? `its choices: ${known.join(', ')}` : 'it has none'})`);
    }
    if (!Number.isInteger(index) || !choice.options[index]) throw new OnnxExportError(`options.path gives choice ${id} option ${index}, which does not exist (${optionList(choice)})`);
  }
}

/**
 * The nodes that compute `spec.outputs[outputIndex]` when every choice takes the option `path`
 * gives it. Nodes the output does not depend on (other heads, unchosen options) are left out.
 * Throws an OnnxExportError naming the choice when a choice the output needs has no option in `path`.
 */
export function activeGraph(spec: NetworkSpec, path: ChoicePath = {}, outputIndex = 0): ActiveGraph {
  checkPath(spec, path);
  const alias = new Map<string, string>();
  const flat: PlainNode[] = [];
  const visit = (nodes: readonly LayerNode[]) => {
    for (const node of nodes) {
      if (node.op !== 'choice') {
        flat.push(node);
        continue;
      }
      const index = path[node.id];
      if (index === undefined) {
        throw new OnnxExportError(`choice ${node.id} has no option in options.path: an export takes one path through a supernet; give its option index (${optionList(node)})`);
      }
      const option = node.options[index]!;
      visit(option.nodes);
      alias.set(node.id, option.output);
    }
  };
  visit(spec.nodes);
  const source = (id: string): string => {
    let current = id;
    for (let next = alias.get(current); next !== undefined; next = alias.get(current)) current = next;
    return current;
  };
  const outputId = spec.outputs[outputIndex];
  if (outputId === undefined) throw new OnnxExportError(`the network has no output ${outputIndex} (it has ${spec.outputs.length})`);
  const byId = new Map(flat.map((node) => [node.id, node]));
  const needed = new Set<string>();
  const pending = [source(outputId)];
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (needed.has(id)) continue;
    const node = byId.get(id);
    if (!node) throw new OnnxExportError(`node ${id} is read but not defined: the NetworkSpec is inconsistent`);
    needed.add(id);
    pending.push(...nodeInputs(node).map(source));
  }
  return { nodes: flat.filter((node) => needed.has(node.id)), source, output: source(outputId) };
}
