import type { Cell, Genome } from '../api/genome.ts';
import { archId, isChoice } from './genome.ts';
import { OPS, type OpName } from './op-registry.ts';
import type { ChoiceOption, LayerNode, NetworkSpec } from './spec.ts';

/** What decoding needs from the plan: the image channels and the number of classes (with background). */
export interface DecodeContext {
  inputChannels: number;
  classes: number;
}

/** Appends nodes and remembers each node's channels and scale. */
class GraphBuilder {
  readonly nodes: LayerNode[] = [];
  readonly channels: Record<string, number> = {};
  readonly scale: Record<string, number> = {};

  constructor(private readonly genome: Genome) {}

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
  convBlock(id: string, input: string, outChannels: number, kernel: [number, number, number], options: { stride?: 1 | 2; dilation?: 1 | 2 } = {}, into = this.nodes): string {
    const scale = this.scale[input]! * (options.stride ?? 1);
    const conv = this.add(
      { op: 'conv', id: `${id}.conv`, input, inChannels: this.channels[input]!, outChannels, kernel, stride: options.stride ?? 1, dilation: options.dilation ?? 1, bias: false },
      outChannels,
      scale,
      into,
    );
    const norm = this.add({ op: 'instance-norm', id: `${id}.norm`, input: conv, channels: outChannels, epsilon: this.genome.normEpsilon }, outChannels, scale, into);
    return this.add({ op: 'leaky-relu', id: `${id}.act`, input: norm, alpha: this.genome.leakyReluAlpha }, outChannels, scale, into);
  }

  /** The nodes of one op (its conv steps), reading `input`; returns the output id. */
  opNodes(id: string, op: OpName, input: string, outChannels: number, into: LayerNode[]): string {
    let current = input;
    OPS[op].steps.forEach((step, index) => {
      current = this.convBlock(`${id}.${op}.step${index}`, current, outChannels, step.kernel, { dilation: step.dilation as 1 | 2 }, into);
    });
    return current;
  }

  cell(id: string, cell: Cell, input: string, outChannels: number): string {
    if (!isChoice(cell)) return this.opNodes(id, cell, input, outChannels, this.nodes);
    const options: ChoiceOption[] = cell.choice.map((op) => {
      const nodes: LayerNode[] = [];
      return { op, nodes, output: this.opNodes(id, op, input, outChannels, nodes) };
    });
    return this.add({ op: 'choice', id, input, channels: outChannels, options }, outChannels, this.scale[input]!, this.nodes);
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
  const graph = new GraphBuilder(genome);
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
