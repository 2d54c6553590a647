/**
 * The weight-shared supernet of a one-shot search (ENAS / RONASMIS): every cell-op decision of the
 * space is a choice cell holding all its options, and a child architecture is a path through it.
 *
 * Macro decisions (e.g. max-pooling vs strided convolution) change the graph between the cells, so
 * each macro assignment gets its own supernet spec; the specs share ONE weight map, because a cell's
 * parameter names do not depend on the macro choice (decode.ts names an op's layers
 * "<cell>.<op>.step<i>" inside a choice and in a fixed cell alike). A child genome's parameters are
 * therefore a subset of the shared map, with the same names: `childWeights` hands them over for
 * final training or export without any renaming.
 */
import * as tf from '@tensorflow/tfjs';
import type { SearchPoint, SearchSpace } from '../../api/search-space.ts';
import { networkPredictor } from '../../evaluate/network-predictor.ts';
import { validateCases, type ValidationCase, type ValidationResult } from '../../evaluate/validate-cases.ts';
import { canonicalJson } from '../../network/genome.ts';
import { decodeGenome, isSuperKernelName } from '../../network/decode.ts';
import { initialWeightValues, weightValues, type NetworkWeights } from '../../network/executor.ts';
import { allNodes, cutKernelView, specParams, type KernelView, type NetworkSpec, type Triple } from '../../network/spec.ts';
import { createRandom } from '../../runtime/random.ts';
import type { NamedArray } from '../../runtime/tensor-file.ts';
import { pointToGenome, pointToPath, supernetGenome } from '../../space/genome-of-point.ts';
import type { Optimizer } from '../../train/optimizers.ts';
import { trainStep } from '../../train/train-step.ts';
import type { BatchArrays } from '../../train/training-case.ts';

export interface SupernetContext {
  inputChannels: number;
  classes: number;
  /** Seed of the weights' initialisation: a parameter's first value depends only on (seed, name). */
  seed: number | string;
  /**
   * The ops of a cell share one superkernel per conv step (Single-Path NAS: 3x3x3, 3x3x1 and dilated
   * 3x3x3 are the centre of the cell's 5x5x5), so every training step trains what every path uses;
   * otherwise each op has its own kernels and gets 1/k of the steps. Restoring a checkpoint follows
   * the checkpoint's parameters.
   */
  superKernels?: boolean;
}


/** The macro part of a point: every decision that is not a cell op (its value picks the supernet spec). */
export function macroKey(space: SearchSpace, point: SearchPoint): string {
  return canonicalJson(Object.fromEntries(space.decisions.filter((decision) => decision.kind !== 'cell-op').map((decision) => [decision.id, point[decision.id]])));
}

let supernetCount = 0;

export class SharedSupernet {
  private readonly specs = new Map<string, NetworkSpec>();
  readonly weights: NetworkWeights = new Map();

  /** tfjs variable names are global: each supernet gets its own prefix. */
  private readonly prefix = `supernet${(supernetCount += 1)}:`;

  constructor(
    readonly space: SearchSpace,
    private readonly context: SupernetContext,
  ) {}

  private variable(name: string, value: Float32Array, shape: readonly number[]): tf.Variable {
    // tidy: the initial tensor's reference is released (the variable keeps the data).
    return tf.tidy(() => tf.variable(tf.tensor(value, [...shape]), true, `${this.prefix}${name}`));
  }

  /** A supernet with the weights of `saveable()` (e.g. from a checkpoint). */
  static restore(space: SearchSpace, context: SupernetContext, saved: Map<string, NamedArray>): SharedSupernet {
    const supernet = new SharedSupernet(space, { ...context, superKernels: [...saved.keys()].some(isSuperKernelName) });
    for (const [name, array] of saved) supernet.weights.set(name, supernet.variable(name, array.data, array.shape));
    return supernet;
  }

  /** The supernet spec for a point's macro decisions; new parameters are created (seeded by name) on first use. */
  specFor(point: SearchPoint): NetworkSpec {
    const key = macroKey(this.space, point);
    let spec = this.specs.get(key);
    if (!spec) {
      spec = decodeGenome(supernetGenome(this.space, point), { inputChannels: this.context.inputChannels, classes: this.context.classes, superKernels: this.context.superKernels ?? false });
      for (const param of specParams(spec)) {
        if (this.weights.has(param.name)) continue;
        const [value] = initialWeightValues([param], createRandom(this.context.seed).fork('supernet').fork(param.name)).values();
        this.weights.set(param.name, this.variable(param.name, value!, param.shape));
      }
      this.specs.set(key, spec);
    }
    return spec;
  }

  /** One training step of the child `point` (only its path's weights get gradients); returns the loss. */
  async trainChild(point: SearchPoint, optimizer: Optimizer, batch: BatchArrays, learningRate: number): Promise<number> {
    return trainStep(this.specFor(point), this.weights, optimizer, batch, learningRate, { path: pointToPath(this.space, point) });
  }

  /** Patient-wise Dice of the child `point` with the shared weights on preprocessed cases. */
  async evaluateChild(point: SearchPoint, cases: readonly ValidationCase[], options: { patchSize: [number, number, number]; wholeVolumeVoxels: number; signal?: AbortSignal }): Promise<ValidationResult> {
    const spec = this.specFor(point);
    const predict = networkPredictor(spec, this.weights, { path: pointToPath(this.space, point) });
    return validateCases(cases, predict, { classes: this.context.classes, patchSize: options.patchSize, sizeDivisor: spec.sizeDivisor, wholeVolumeVoxels: options.wholeVolumeVoxels, ...(options.signal ? { signal: options.signal } : {}) });
  }

  /** The child's own weights (its genome's parameter names), taken from the shared map. */
  async childWeights(point: SearchPoint): Promise<Map<string, Float32Array>> {
    const views = new Map<string, KernelView & { kernel: Triple; channels: number }>(allNodes(this.specFor(point).nodes).flatMap((node) => (node.op === 'conv' && node.kernelOf ? [[`${node.id}/kernel`, { ...node.kernelOf, kernel: node.kernel, channels: node.inChannels * node.outChannels }] as const] : [])));
    const child = decodeGenome(pointToGenome(this.space, point), { inputChannels: this.context.inputChannels, classes: this.context.classes });
    const values = new Map<string, Float32Array>();
    for (const param of specParams(child)) {
      const view = views.get(param.name);
      const variable = this.weights.get(view ? view.param : param.name);
      if (!variable) throw new Error(`supernet: the child's parameter ${param.name} is not in the shared weights (space and decoder disagree)`);
      const data = (await variable.data()) as Float32Array;
      values.set(param.name, view ? cutKernelView(data, view.superKernel, view.kernel, view.channels) : Float32Array.from(data));
    }
    return values;
  }

  /** Every shared weight with its shape, for a checkpoint. */
  async saveable(): Promise<Map<string, NamedArray>> {
    const values = await weightValues(this.weights);
    return new Map([...this.weights].map(([name, variable]) => [name, { shape: [...variable.shape], data: values.get(name)! }]));
  }

  dispose(): void {
    for (const variable of this.weights.values()) variable.dispose();
    this.weights.clear();
  }
}
