import type { Cell, Genome } from '../api/genome.ts';
import { archId, isChoice } from './genome.ts';
import { OPS, type OpName } from './op-registry.ts';
import type { ChoiceOption, KernelView, LayerNode, NetworkSpec, ParamSpec, Triple } from './spec.ts';

/** What decoding needs from the plan: the image channels and the number of classes (with background). */
export interface DecodeContext {
  inputChannels: number;
  classes: number;
  /** Supernets only: the options of a choice view one superkernel per conv step (Single-Path NAS) instead of owning their kernels. */
  superKernels?: boolean;
}

/** A superkernel's parameter name (decodeGenome with superKernels), and the test for one. */
const superKernelName = (choiceId: string, step: number) => `${choiceId}.super.step${step}/kernel`;
export const isSuperKernelName = (name: string): boolean => /\.super\.step\d+\/kernel$/.test(name);

/** Appends nodes and remembers each node's channels and scale. */
class GraphBuilder {
  readonly nodes: LayerNode[] = [];
  readonly channels: Record<string, number> = {};
  readonly scale: Record<string, number> = {};

  constructor(
    private readonly genome: Genome,
    private readonly superKernels = false,
  ) {}

  private add(node: LayerNode, channels: number, scale: number, into: LayerNode[]): string {
    into.push(node);
    this.channels[node.id] = channels;
    this.scale[node.id] = scale;
    return node.id;
  }

  input(channels: number): string {
    return this.add({ op: 'input', id: 'input', channels }, channels, 1, this.nodes);
  }

  /** conv -> instance norm -> LeakyReLU; returns the activation's id. */
  convBlock(id: string, input: string, outChannels: number, kernel: [number, number, number], options: { stride?: 1 | 2; dilation?: 1 | 2; kernelOf?: KernelView } = {}, into = this.nodes): string {
    const scale = this.scale[input]! * (options.stride ?? 1);
    const conv = this.add(
      { op: 'conv', id: `${id}.conv`, input, inChannels: this.channels[input]!, outChannels, kernel, stride: options.stride ?? 1, dilation: options.dilation ?? 1, bias: false, ...(options.kernelOf ? { kernelOf: options.kernelOf } : {}) },
      outChannels,
      scale,
      into,
    );
    const norm = this.add({ op: 'instance-norm', id: `${id}.norm`, input: conv, channels: outChannels, epsilon: this.genome.normEpsilon }, outChannels, scale, into);
    return this.add({ op: 'leaky-relu', id: `${id}.act`, input: norm, alpha: this.genome.leakyReluAlpha }, outChannels, scale, into);
  }

  /** The nodes of one op (its conv steps), reading `input`; returns the output id. */
  opNodes(id: string, op: OpName, input: string, outChannels: number, into: LayerNode[], superKernels: readonly ParamSpec[] = []): string {
    let current = input;
    OPS[op].steps.forEach((step, index) => {
      const shared = superKernels[index];
      const kernelOf: KernelView | undefined = shared ? { param: shared.name, superKernel: shared.shape.slice(0, 3) as Triple } : undefined;
      current = this.convBlock(`${id}.${op}.step${index}`, current, outChannels, step.kernel, { dilation: step.dilation as 1 | 2, ...(kernelOf ? { kernelOf } : {}) }, into);
    });
    return current;
  }

  /** One superkernel per conv step index of the options: the axis-wise largest kernel of that step. */
  private superKernelsOf(id: string, ops: readonly OpName[], inChannels: number, outChannels: number): ParamSpec[] {
    const steps = Math.max(0, ...ops.map((op) => OPS[op].steps.length));
    return Array.from({ length: steps }, (_unused, index) => {
      const kernels = ops.flatMap((op) => (OPS[op].steps[index] ? [OPS[op].steps[index].kernel] : []));
      const size = [0, 1, 2].map((axis) => Math.max(...kernels.map((kernel) => kernel[axis]!))) as Triple;
      const cin = index === 0 ? inChannels : outChannels;
      return { name: superKernelName(id, index), shape: [...size, cin, outChannels], init: 'he-normal' as const, fanIn: size[0] * size[1] * size[2] * cin };
    });
  }

  cell(id: string, cell: Cell, input: string, outChannels: number): string {
    if (!isChoice(cell)) return this.opNodes(id, cell, input, outChannels, this.nodes);
    const superKernels = this.superKernels ? this.superKernelsOf(id, cell.choice, this.channels[input]!, outChannels) : [];
    const options: ChoiceOption[] = cell.choice.map((op) => {
      const nodes: LayerNode[] = [];
      return { op, nodes, output: this.opNodes(id, op, input, outChannels, nodes, superKernels) };
    });
    return this.add({ op: 'choice', id, input, channels: outChannels, options, ...(superKernels.length > 0 ? { superKernels } : {}) }, outChannels, this.scale[input]!, this.nodes);
  }

  cells(prefix: string, cells: Cell[], input: string, outChannels: number): string {
    return cells.reduce((current, cell, index) => this.cell(`${prefix}.cell${index}`, cell, current, outChannels), input);
  }

  node(node: LayerNode, channels: number, scale: number): string {
    return this.add(node, channels, scale, this.nodes);
  }
}

/**
 * Genome -> NetworkSpec. The U-Net: per level, cells at that level's width; between levels, the
 * genome's down- and up-sampling; skips joined as the genome says; a 1x1x1 head with bias on the
 * finest decoder level, plus deep-supervision heads on the next coarser ones.
 */
export function decodeGenome(genome: Genome, context: DecodeContext): NetworkSpec {
  const graph = new GraphBuilder(genome, context.superKernels ?? false);
  const { widths } = genome;
  const levels = widths.length;
  let current = graph.input(context.inputChannels);
  const skips: string[] = [];
  for (let level = 0; level < levels; level += 1) {
    if (level > 0) {
      const width = widths[level - 1]!;
      current =
        genome.down === 'max-pool'
          ? graph.node({ op: 'max-pool', id: `down${level}.pool`, input: current }, width, graph.scale[current]! * 2)
          : graph.convBlock(`down${level}`, current, width, [2, 2, 2], { stride: 2 });
    }
    current = graph.cells(`enc${level}`, genome.encoder[level]!, current, widths[level]!);
    skips.push(current);
  }
  const decoderOutputs: string[] = [];
  for (let level = levels - 2; level >= 0; level -= 1) {
    const width = widths[level]!;
    const scale = graph.scale[skips[level]!]!;
    const up =
      genome.up === 'transposed-conv'
        ? graph.node({ op: 'conv-transpose', id: `up${level}.convt`, input: current, inChannels: graph.channels[current]!, outChannels: width, kernel: [2, 2, 2], stride: 2 }, width, scale)
        : graph.node(
            { op: 'conv', id: `up${level}.conv`, input: graph.node({ op: 'upsample-trilinear', id: `up${level}.resize`, input: current }, graph.channels[current]!, scale), inChannels: graph.channels[current]!, outChannels: width, kernel: [1, 1, 1], stride: 1, dilation: 1, bias: false },
            width,
            scale,
          );
    const skip = skips[level]!;
    let joined: string;
    if (genome.skip === 'concat') {
      joined = graph.node({ op: 'concat', id: `skip${level}.concat`, inputs: [up, skip] }, 2 * width, scale);
    } else {
      const projected =
        genome.skip === 'conv-add'
          ? graph.node({ op: 'conv', id: `skip${level}.conv`, input: skip, inChannels: width, outChannels: width, kernel: [1, 1, 1], stride: 1, dilation: 1, bias: false }, width, scale)
          : skip;
      joined = graph.node({ op: 'add', id: `skip${level}.add`, inputs: [up, projected] }, width, scale);
    }
    current = graph.cells(`dec${level}`, genome.decoder[level]!, joined, width);
    decoderOutputs[level] = current;
  }
  const head = (level: number) =>
    graph.node(
      { op: 'conv', id: `head${level}`, input: decoderOutputs[level]!, inChannels: widths[level]!, outChannels: context.classes, kernel: [1, 1, 1], stride: 1, dilation: 1, bias: true },
      context.classes,
      graph.scale[decoderOutputs[level]!]!,
    );
  const outputs = [head(0)];
  for (let level = 1; level <= genome.deepSupervision; level += 1) outputs.push(head(level));
  return {
    schemaVersion: 1,
    archId: archId(genome),
    inputChannels: context.inputChannels,
    classes: context.classes,
    nodes: graph.nodes,
    outputs,
    sizeDivisor: 2 ** (levels - 1),
    channels: graph.channels,
    scale: graph.scale,
  };
}
