import { sameAxis } from '../../../engine/backend/conv-geometry.ts';

/**
 * Direct loops over tiny NDHWC arrays (float64 accumulation): independent references for the
 * cpu implementations, written from the definitions, not from the code under test.
 */

type Shape5 = [number, number, number, number, number];

export interface Volume {
  values: Float64Array;
  shape: number[];
}

const at = (shape: number[], n: number, d: number, h: number, w: number, c: number): number =>
  (((n * shape[1]! + d) * shape[2]! + h) * shape[3]! + w) * shape[4]! + c;

interface ConvLoop {
  /** Called for every (input element, filter element, output element) triple that multiplies. */
  (xIndex: number, wIndex: number, yIndex: number): void;
}

function forEachConvTerm(xShape: number[], wShape: number[], stride: number, dilation: number, visit: ConvLoop): number[] {
  const [n, d, h, w, c] = xShape as Shape5;
  const [kd, kh, kw, , f] = wShape as Shape5;
  const gd = sameAxis(d, kd, stride, dilation);
  const gh = sameAxis(h, kh, stride, dilation);
  const gw = sameAxis(w, kw, stride, dilation);
  const yShape = [n, gd.outSize, gh.outSize, gw.outSize, f];
  for (let b = 0; b < n; b++)
    for (let z = 0; z < gd.outSize; z++)
      for (let y = 0; y < gh.outSize; y++)
        for (let x = 0; x < gw.outSize; x++)
          for (let i = 0; i < kd; i++)
            for (let j = 0; j < kh; j++)
              for (let k = 0; k < kw; k++) {
                const zi = z * stride + i * dilation - gd.padBefore;
                const yi = y * stride + j * dilation - gh.padBefore;
                const xi = x * stride + k * dilation - gw.padBefore;
                if (zi < 0 || zi >= d || yi < 0 || yi >= h || xi < 0 || xi >= w) continue;
                for (let ci = 0; ci < c; ci++)
                  for (let co = 0; co < f; co++) {
                    visit(at(xShape, b, zi, yi, xi, ci), (((i * kh + j) * kw + k) * c + ci) * f + co, at(yShape, b, z, y, x, co));
                  }
              }
  return yShape;
}

/** 'same' (TensorFlow) convolution, filter [kd, kh, kw, cin, cout]. */
export function naiveConv3d(x: ArrayLike<number>, xShape: number[], w: ArrayLike<number>, wShape: number[], stride: number, dilation: number): Volume {
  let values = new Float64Array(0);
  const shape = forEachConvTerm(xShape, wShape, stride, dilation, () => undefined);
  values = new Float64Array(shape.reduce((a, b) => a * b, 1));
  forEachConvTerm(xShape, wShape, stride, dilation, (xi, wi, yi) => {
    values[yi]! += x[xi]! * w[wi]!;
  });
  return { values, shape };
}

/** Gradients of sum(conv(x, w) * dy) with respect to x and w. */
export function naiveConv3dGradients(
  x: ArrayLike<number>,
  xShape: number[],
  w: ArrayLike<number>,
  wShape: number[],
  dy: ArrayLike<number>,
  stride: number,
  dilation: number,
): { dx: Float64Array; dw: Float64Array } {
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  forEachConvTerm(xShape, wShape, stride, dilation, (xi, wi, yi) => {
    dx[xi]! += dy[yi]! * w[wi]!;
    dw[wi]! += dy[yi]! * x[xi]!;
  });
  return { dx, dw };
}

/** 2x2x2 stride-2 transposed convolution, filter [2, 2, 2, cout, cin]. */
export function naiveConv3dTranspose(x: ArrayLike<number>, xShape: number[], w: ArrayLike<number>, cout: number): Volume {
  const [n, d, h, wd, cin] = xShape as Shape5;
  const shape = [n, 2 * d, 2 * h, 2 * wd, cout];
  const values = new Float64Array(shape.reduce((a, b) => a * b, 1));
  for (let b = 0; b < n; b++)
    for (let z = 0; z < d; z++)
      for (let y = 0; y < h; y++)
        for (let xx = 0; xx < wd; xx++)
          for (let i = 0; i < 2; i++)
            for (let j = 0; j < 2; j++)
              for (let k = 0; k < 2; k++)
                for (let co = 0; co < cout; co++)
                  for (let ci = 0; ci < cin; ci++) {
                    values[at(shape, b, 2 * z + i, 2 * y + j, 2 * xx + k, co)]! +=
                      x[at(xShape, b, z, y, xx, ci)]! * w[(((i * 2 + j) * 2 + k) * cout + co) * cin + ci]!;
                  }
  return { values, shape };
}

export function naiveMaxPool3d(x: ArrayLike<number>, xShape: number[]): Volume {
  const [n, d, h, w, c] = xShape as Shape5;
  const shape = [n, d / 2, h / 2, w / 2, c];
  const values = new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(Number.NEGATIVE_INFINITY);
  for (let b = 0; b < n; b++)
    for (let z = 0; z < d; z++)
      for (let y = 0; y < h; y++)
        for (let xx = 0; xx < w; xx++)
          for (let k = 0; k < c; k++) {
            const o = at(shape, b, z >> 1, y >> 1, xx >> 1, k);
            values[o] = Math.max(values[o]!, x[at(xShape, b, z, y, xx, k)]!);
          }
  return { values, shape };
}

/** Per sample and channel over d, h, w; biased variance. */
export function naiveInstanceNorm(x: ArrayLike<number>, xShape: number[], gamma: ArrayLike<number>, beta: ArrayLike<number>, epsilon: number): Volume {
  const [n, , , , c] = xShape as Shape5;
  const voxels = x.length / (n * c);
  const values = new Float64Array(x.length);
  for (let b = 0; b < n; b++)
    for (let k = 0; k < c; k++) {
      let mean = 0;
      for (let v = 0; v < voxels; v++) mean += x[(b * voxels + v) * c + k]!;
      mean /= voxels;
      let variance = 0;
      for (let v = 0; v < voxels; v++) variance += (x[(b * voxels + v) * c + k]! - mean) ** 2;
      variance /= voxels;
      for (let v = 0; v < voxels; v++) {
        const i = (b * voxels + v) * c + k;
        values[i] = ((x[i]! - mean) / Math.sqrt(variance + epsilon)) * gamma[k]! + beta[k]!;
      }
    }
  return { values, shape: xShape };
}

/**
 * 2x trilinear upsampling by PyTorch's algorithm (align_corners=False): source coordinate
 * (o + 0.5) / 2 - 0.5, clamped below at 0; neighbours floor(src) and min(floor(src) + 1, n - 1).
 */
export function naiveUpsample(x: ArrayLike<number>, xShape: number[]): Volume {
  const [n, d, h, w, c] = xShape as Shape5;
  const shape = [n, 2 * d, 2 * h, 2 * w, c];
  const taps = (o: number, size: number): [number, number, number, number] => {
    const source = Math.max((o + 0.5) / 2 - 0.5, 0);
    const lower = Math.floor(source);
    const upper = Math.min(lower + 1, size - 1);
    const t = source - lower;
    return [lower, upper, 1 - t, t];
  };
  const values = new Float64Array(shape.reduce((a, b) => a * b, 1));
  for (let b = 0; b < n; b++)
    for (let z = 0; z < 2 * d; z++)
      for (let y = 0; y < 2 * h; y++)
        for (let xx = 0; xx < 2 * w; xx++) {
          const [z0, z1, wz0, wz1] = taps(z, d);
          const [y0, y1, wy0, wy1] = taps(y, h);
          const [x0, x1, wx0, wx1] = taps(xx, w);
          for (let k = 0; k < c; k++) {
            let sum = 0;
            for (const [zi, wz] of [[z0, wz0], [z1, wz1]] as const)
              for (const [yi, wy] of [[y0, wy0], [y1, wy1]] as const)
                for (const [xi, wx] of [[x0, wx0], [x1, wx1]] as const) sum += wz * wy * wx * x[at(xShape, b, zi, yi, xi, k)]!;
            values[at(shape, b, z, y, xx, k)] = sum;
          }
        }
  return { values, shape };
}

/** Soft Dice (smooth, mean over samples and classes) + cross-entropy (mean over voxels). */
export function naiveDiceCrossEntropy(logits: ArrayLike<number>, target: ArrayLike<number>, shape: number[], smooth: number): number {
  const n = shape[0]!;
  const c = shape[4]!;
  const voxels = logits.length / (n * c);
  let ce = 0;
  let dice = 0;
  for (let b = 0; b < n; b++) {
    const inter = new Float64Array(c);
    const sums = new Float64Array(c);
    for (let v = 0; v < voxels; v++) {
      const base = (b * voxels + v) * c;
      const exps = Array.from({ length: c }, (_, k) => Math.exp(logits[base + k]!));
      const total = exps.reduce((a, e) => a + e, 0);
      for (let k = 0; k < c; k++) {
        const p = exps[k]! / total;
        inter[k]! += p * target[base + k]!;
        sums[k]! += p + target[base + k]!;
        ce -= target[base + k]! * Math.log(p);
      }
    }
    for (let k = 0; k < c; k++) dice += (2 * inter[k]! + smooth) / (sums[k]! + smooth);
  }
  return 1 - dice / (n * c) + ce / (n * voxels);
}
