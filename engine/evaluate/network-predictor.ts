import * as tf from '@tensorflow/tfjs';
import { ncdhwToNdhwc, ndhwcToNcdhw } from '../export/layout.ts';
import { forward, type ForwardOptions, type NetworkWeights } from '../network/executor.ts';
import type { NetworkSpec } from '../network/spec.ts';
import type { PredictBlock } from './sliding-window.ts';

/**
 * The tfjs executor as a sliding-window predictor: [1][C][d][h][w] in, logits [1][K][d][h][w] out
 * (the main head; nnU-Net averages logits across windows and mirrors).
 */
export function networkPredictor(spec: NetworkSpec, weights: NetworkWeights, options: ForwardOptions = {}): PredictBlock {
  return async (block, shape) => {
    const [d, h, w] = shape.size;
    const channels = shape.channels;
    // With one channel NCDHW and NDHWC are the same memory.
    const input = channels === 1 ? block : ncdhwToNdhwc(block, [1, channels, d, h, w]);
    const logits = tf.tidy(() => forward(spec, weights, tf.tensor5d(input, [1, d, h, w, channels]), options)[0]!);
    const data = (await logits.data()) as Float32Array;
    logits.dispose();
    return ndhwcToNcdhw(data, [1, d, h, w, spec.classes]);
  };
}
