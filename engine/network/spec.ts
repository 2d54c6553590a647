/**
 * NetworkSpec: a network as a plain-data DAG, decoded from a genome. Three consumers read it: the
 * tfjs executor, the cost model and the ONNX exporter. Tensors are NDHWC for tfjs; kernels are
 * [kd, kh, kw] in that order. Node ids are structural paths ("enc1.cell0.conv3.step0.conv"), so the
 * same op at the same place has the same parameter names in a supernet and in every child of it:
 * that is how weights are shared.
 */
import type { OpName } from './op-registry.ts';

export type Triple = [number, number, number];

export type LayerNode =
  | { op: 'input'; id: string; channels: number }
  | { op: 'conv'; id: string; input: string; inChannels: number; outChannels: number; kernel: Triple; stride: 1 | 2; dilation: 1 | 2; bias: boolean }
  | { op: 'conv-transpose'; id: string; input: string; inChannels: number; outChannels: number; kernel: Triple; stride: 2 }
  | { op: 'instance-norm'; id: string; input: string; channels: number; epsilon: number }
  | { op: 'leaky-relu'; id: string; input: string; alpha: number }
  | { op: 'max-pool'; id: string; input: string }
  | { op: 'upsample-trilinear'; id: string; input: string }
  | { op: 'add'; id: string; inputs: [string, string] }
  | { op: 'concat'; id: string; inputs: [string, string] }
  | ChoiceNode;

/** A searchable cell of a supernet: every candidate op as its own sub-graph reading `input`. */
export interface ChoiceNode {
  op: 'choice';
  id: string;
  input: string;
  channels: number;
  options: ChoiceOption[];
}

export interface ChoiceOption {
  op: OpName;
  /** The option's nodes, in order; their first node reads the choice's input. */
  nodes: LayerNode[];
  /** Id of the node whose output is the option's output (the choice's input itself for identity). */
  output: string;
}

export interface NetworkSpec {
  schemaVersion: 1;
  archId: string;
  inputChannels: number;
  classes: number;
  /** In topological order; the first node is the input. */
  nodes: LayerNode[];
  /** Logits: the full-resolution head first, then deep-supervision heads, coarser and coarser. */
  outputs: string[];
  /** Spatial sizes must be multiples of this (2^(levels-1)). */
  sizeDivisor: number;
  /** Output channels of every node id (also inside choice options), for consumers that need shapes. */
  channels: Record<string, number>;
  /** Downsampling factor of every node id relative to the input (1, 2, 4, ...). */
  scale: Record<string, number>;
}

export interface ParamSpec {
  /** `${nodeId}/kernel`, `${nodeId}/bias`, `${nodeId}/gamma`, `${nodeId}/beta`. */
  name: string;
  /** tfjs layout: conv [kd,kh,kw,cin,cout], transposed conv [kd,kh,kw,cout,cin], vectors [c]. */
  shape: number[];
  init: 'he-normal' | 'zeros' | 'ones';
  /** Inputs feeding one output value (for He initialisation): kd*kh*kw*cin for a convolution, cin for a 2x2x2 stride-2 transposed one. */
  fanIn?: number;
}

/** Parameters of one node (not descending into choices). */
export function nodeParams(node: LayerNode): ParamSpec[] {
  switch (node.op) {
    case 'conv': {
      const fanIn = node.kernel[0] * node.kernel[1] * node.kernel[2] * node.inChannels;
      const kernel: ParamSpec = { name: `${node.id}/kernel`, shape: [...node.kernel, node.inChannels, node.outChannels], init: 'he-normal', fanIn };
      return node.bias ? [kernel, { name: `${node.id}/bias`, shape: [node.outChannels], init: 'zeros' }] : [kernel];
    }
    case 'conv-transpose':
      return [{ name: `${node.id}/kernel`, shape: [...node.kernel, node.outChannels, node.inChannels], init: 'he-normal', fanIn: node.inChannels }];
    case 'instance-norm':
      return [
        { name: `${node.id}/gamma`, shape: [node.channels], init: 'ones' },
        { name: `${node.id}/beta`, shape: [node.channels], init: 'zeros' },
      ];
    default:
      return [];
  }
}

/** Every node, descending into every option of every choice. */
export function allNodes(nodes: readonly LayerNode[]): LayerNode[] {
  return nodes.flatMap((node) => (node.op === 'choice' ? [node, ...node.options.flatMap((option) => allNodes(option.nodes))] : [node]));
}

/** All parameters of a spec (for a supernet: of every option). */
export function specParams(spec: NetworkSpec): ParamSpec[] {
  return allNodes(spec.nodes).flatMap(nodeParams);
}

export const parameterCount = (params: readonly ParamSpec[]): number => params.reduce((total, param) => total + param.shape.reduce((a, b) => a * b, 1), 0);
