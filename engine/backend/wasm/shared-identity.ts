import * as tf from '@tensorflow/tfjs';

/**
 * tfjs 4.22's wasm Identity kernel copies its input. The engine clones (Identity) every tensor a
 * gradient keeps for the backward pass, so on wasm each saved activation was stored twice and
 * copied once. Tensors are immutable and the wasm backend reference-counts data (its Reshape
 * already shares), so Identity can share the data as the cpu backend's does. Installed by
 * selectBackend when it starts wasm; values are unchanged, only copies disappear.
 */
export function installSharedIdentity(): void {
  const existing = tf.getKernel('Identity', 'wasm');
  if (existing?.kernelFunc === sharedIdentity) return;
  if (existing !== undefined) tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: sharedIdentity });
}

const sharedIdentity: tf.KernelFunc = ({ inputs, backend }) => {
  const x = inputs.x;
  if (x === undefined) throw new Error('Identity: missing input x');
  (backend as tf.KernelBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};
