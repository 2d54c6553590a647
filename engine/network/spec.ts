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
  | { op: 'conv'; id: string; input: string; inChannels: number; outChannels: number; kernel: Triple; stride: 1 | 2; dilation: 1 | 2; bias: boolean; kernelOf?: KernelView }
  | { op: 'conv-transpose'; id: string; input: string; inChannels: number; outChannels: number; kernel: Triple; stride: 2 }
  | { op: 'instance-norm'; id: string; input: string; channels: number; epsilon: number }
  | { op: 'leaky-relu'; id: string; input: string; alpha: number }
  | { op: 'max-pool'; id: string; input: string }
  | { op: 'upsample-trilinear'; id: string; input: string }
  | { op: 'add'; id: string; inputs: [string, string] }
  | { op: 'concat'; id: string; inputs: [string, string] }
  | ChoiceNode;

/**
 * A convolution of a supernet option whose kernel is the centre block of a shared superkernel
 * (Single-Path NAS): e.g. the 3x3x3, 3x3x1 and dilated 3x3x3 ops of a cell are views of its
 * 5x5x5 kernel, so a training step on any path trains the weights the others use too.
 */
export interface KernelView {
  /** The superkernel's parameter name (a parameter of the enclosing choice node). */
  param: string;
  /** The superkernel's spatial size; the view is the block of `kernel` centred in it. */
  superKernel: Triple;
}

/** A searchable cell of a supernet: every candidate op as its own sub-graph reading `input`. */
export interface ChoiceNode {
  op: 'choice';
  id: string;
  input: string;
  channels: number;
  options: ChoiceOption[];
  /** Superkernels that the options' convolutions view (see KernelView); absent: each op has its own kernels. */
  superKernels?: ParamSpec[];
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
      const bias: ParamSpec[] = node.bias ? [{ name: `${node.id}/bias`, shape: [node.outChannels], init: 'zeros' }] : [];
      // A kernel view owns no kernel: its values live in the choice's superkernel.
      return node.kernelOf ? bias : [kernel, ...bias];
    }
    case 'choice':
      return node.superKernels ?? [];
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

/** Offset of a kernel view's block inside its superkernel (centred; odd sizes inside odd sizes). */
export function viewOffset(kernel: Triple, superKernel: Triple): Triple {
  const offset = kernel.map((size, axis) => (superKernel[axis]! - size) / 2);
  if (offset.some((value) => !Number.isInteger(value) || value < 0)) throw new Error(`a ${kernel.join('x')} kernel cannot be centred in a ${superKernel.join('x')} superkernel`);
  return offset as Triple;
}

/**
 * The values of a kernel view, cut from the superkernel's values ([kd,kh,kw,cin,cout] row-major):
 * what a child network gets for its own kernel parameter.
 */
export function cutKernelView(superValues: Float32Array, superKernel: Triple, kernel: Triple, channels: number): Float32Array {
  const [od, oh, ow] = viewOffset(kernel, superKernel);
  const [, sh, sw] = superKernel;
  const [kd, kh, kw] = kernel;
  const out = new Float32Array(kd * kh * kw * channels);
  let at = 0;
  for (let z = 0; z < kd; z += 1) {
    for (let y = 0; y < kh; y += 1) {
      for (let x = 0; x < kw; x += 1) {
        const from = (((z + od) * sh + (y + oh)) * sw + (x + ow)) * channels;
        out.set(superValues.subarray(from, from + channels), at);
        at += channels;
      }
    }
  }
  return out;
}
