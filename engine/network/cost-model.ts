import { allNodes, nodeParams, parameterCount, type LayerNode, type NetworkSpec, type Triple } from './spec.ts';

export interface NetworkCost {
  /** Trainable parameters (of every option, for a supernet without a path). */
  params: number;
  /** Floating-point operations of one forward pass over the batch: 2 x multiply-accumulates of convolutions and transposed convolutions. */
  flops: number;
  /** Bytes of the forward activations a training step keeps for the backward pass (float32, every node's output, whole batch). */
  activationBytes: number;
}

/** Which option each choice node takes (by choice id); without it every option counts (a weighted mix runs them all). */
export type ChoicePath = Record<string, number>;

/**
 * The cost model: parameters, FLOPs and activation memory of a spec for a patch [D, H, W] and batch.
 * Conventions (as fvcore/ptflops): FLOPs count convolutions only (norm, activation, pooling and
 * additions are linear in the activations and small next to them); activation memory counts every
 * node's output once, in float32. Returns an error value when the patch does not fit the network.
 */
export function networkCost(spec: NetworkSpec, patch: Triple, batch: number, path: ChoicePath = {}): NetworkCost | { error: string } {
  if (patch.some((size) => !Number.isInteger(size) || size < 1 || size % spec.sizeDivisor !== 0)) {
    return { error: `patch ${patch.join('x')} must be positive multiples of ${spec.sizeDivisor} (2^(levels-1)) on every axis` };
  }
  if (!Number.isInteger(batch) || batch < 1) return { error: `batch must be a positive integer, got ${batch}` };
  const voxels = (id: string) => patch.reduce((product, size) => product * (size / spec.scale[id]!), 1);
  const badChoice = allNodes(spec.nodes).find((node) => node.op === 'choice' && path[node.id] !== undefined && !node.options[path[node.id]!]);
  if (badChoice) return { error: `path gives choice ${badChoice.id} option ${path[badChoice.id]}, which does not exist` };
  const active: LayerNode[] = [];
  const visit = (nodes: readonly LayerNode[]) => {
    for (const node of nodes) {
      if (node.op !== 'choice') active.push(node);
      else if (path[node.id] !== undefined) visit(node.options[path[node.id]!]!.nodes);
      else {
        // A weighted mix runs every option and keeps their weighted sum as one more tensor.
        node.options.forEach((option) => visit(option.nodes));
        active.push(node);
      }
    }
  };
  visit(spec.nodes);
  let macs = 0;
  let activations = 0;
  for (const node of active) {
    activations += voxels(node.id) * spec.channels[node.id]!;
    if (node.op === 'conv') macs += voxels(node.id) * node.outChannels * node.kernel[0] * node.kernel[1] * node.kernel[2] * node.inChannels;
    // A 2x2x2 stride-2 transposed convolution gives each output voxel exactly one tap.
    if (node.op === 'conv-transpose') macs += voxels(node.id) * node.outChannels * node.inChannels;
  }
  // A supernet's kernel view counts as the kernel it is (its values live in the choice's superkernel).
  const mixedSuperKernels = new Set(active.flatMap((node) => (node.op === 'choice' ? (node.superKernels ?? []).map((param) => param.name) : [])));
  const params = active.flatMap((node) => (node.op === 'conv' && node.kernelOf && !mixedSuperKernels.has(node.kernelOf.param) ? [...nodeParams(node), { name: `${node.id}/kernel`, shape: [...node.kernel, node.inChannels, node.outChannels], init: 'he-normal' as const }] : nodeParams(node)));
  return { params: parameterCount(params), flops: 2 * macs * batch, activationBytes: 4 * activations * batch };
}
