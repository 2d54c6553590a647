/**
 * A genome: one U-Net-family architecture as canonical JSON. Plain data; the renderer may import
 * these types. `engine/network/genome.ts` validates it, hashes it (archId) and decodes it.
 */
import type { OpName } from '../network/op-registry.ts';

/** A searchable cell: one op, or (in a supernet) a choice among ops. */
export type Cell = OpName | { choice: OpName[] };

export interface Genome {
  schemaVersion: 1;
  /** Feature channels per resolution level, finest first; the last level is the bottleneck. */
  widths: number[];
  /** Cells per level, finest first, including the bottleneck: encoder.length === widths.length. */
  encoder: Cell[][];
  /** Cells per decoder level, finest first: decoder.length === widths.length - 1. */
  decoder: Cell[][];
  /** How an encoder feature joins the decoder: added as is, added after a 1x1x1 convolution (RONASMIS), or concatenated. */
  skip: 'add' | 'conv-add' | 'concat';
  /** Downsampling between levels: 2x2x2 max-pooling, or a 2x2x2 stride-2 convolution (+ norm + activation). */
  down: 'max-pool' | 'strided-conv';
  /** Upsampling: 2x2x2 stride-2 transposed convolution, or trilinear x2 followed by a 1x1x1 convolution. */
  up: 'transposed-conv' | 'trilinear-conv';
  /** Extra segmentation heads on the decoder levels 1..n (deep supervision); 0 = none. */
  deepSupervision: number;
  /** LeakyReLU slope (always explicit: tfjs ops default to 0.2, tfjs layers to 0.3, ONNX to 0.01). */
  leakyReluAlpha: number;
  /** Instance normalization epsilon. */
  normEpsilon: number;
}
