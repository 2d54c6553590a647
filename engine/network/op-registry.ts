/**
 * The cell operations a genome may use: explicit registry, plain data. A cell is `op -> instance
 * norm -> LeakyReLU`, except `identity`. Kernels are [kd, kh, kw] in tensor order (D, H, W); a "2D"
 * kernel 3x3x1 convolves in-plane (H, W) only, i.e. [1, 3, 3].
 */
export interface ConvStep {
  kernel: [number, number, number];
  dilation: number;
}

export interface OpDefinition {
  /** What the researcher sees. */
  label: string;
  /** Convolutions applied one after the other (pseudo-3D = in-plane then through-plane). */
  steps: ConvStep[];
}

export const OPS = {
  conv3: { label: '3x3x3', steps: [{ kernel: [3, 3, 3], dilation: 1 }] },
  conv5: { label: '5x5x5', steps: [{ kernel: [5, 5, 5], dilation: 1 }] },
  conv2d3: { label: '3x3x1 (2D)', steps: [{ kernel: [1, 3, 3], dilation: 1 }] },
  conv2d5: { label: '5x5x1 (2D)', steps: [{ kernel: [1, 5, 5], dilation: 1 }] },
  p3d3: { label: 'pseudo-3D 3x3x1 + 1x1x3', steps: [{ kernel: [1, 3, 3], dilation: 1 }, { kernel: [3, 1, 1], dilation: 1 }] },
  p3d5: { label: 'pseudo-3D 5x5x1 + 1x1x5', steps: [{ kernel: [1, 5, 5], dilation: 1 }, { kernel: [5, 1, 1], dilation: 1 }] },
  dil3: { label: 'dilated 3x3x3 (rate 2)', steps: [{ kernel: [3, 3, 3], dilation: 2 }] },
  dil5: { label: 'dilated 5x5x5 (rate 2)', steps: [{ kernel: [5, 5, 5], dilation: 2 }] },
  identity: { label: 'identity', steps: [] },
} as const satisfies Record<string, OpDefinition>;

export type OpName = keyof typeof OPS;

export const OP_NAMES = Object.keys(OPS) as OpName[];

export const isOpName = (name: unknown): name is OpName => typeof name === 'string' && Object.hasOwn(OPS, name);
