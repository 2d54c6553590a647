import * as tf from '@tensorflow/tfjs';
import { ncdhwToNdhwc, ndhwcToNcdhw } from '../export/layout.ts';
import { forward, type ForwardOptions, type NetworkWeights } from '../network/executor.ts';
import type { NetworkSpec } from '../network/spec.ts';
import type { PredictBlock } from './sliding-window.ts';

/**
 * The tfjs executor as a sliding-window predictor: [1][C][d][h][w] in, [1][K][d][h][w] out from the
 * main head: logits (nnU-Net averages logits across windows and mirrors), or softmax probabilities
 * (what the exported ONNX model returns, for predictions that must match it).
 */
export function networkPredictor(spec: NetworkSpec, weights: NetworkWeights, options: ForwardOptions & { output?: 'logits' | 'probabilities' } = {}): PredictBlock {
  return async (block, shape) => {
    const [d, h, w] = shape.size;
    const channels = shape.channels;
    // With one channel NCDHW and NDHWC are the same memory.
    const input = channels === 1 ? block : ncdhwToNdhwc(block, [1, channels, d, h, w]);
    const logits = tf.tidy(() => {
      const head = forward(spec, weights, tf.tensor5d(input, [1, d, h, w, channels]), options)[0]!;
      return options.output === 'probabilities' ? tf.softmax(head) : head;
    });
    const data = (await logits.data()) as Float32Array;
    logits.dispose();
    return ndhwcToNcdhw(data, [1, d, h, w, spec.classes]);
  };
}
