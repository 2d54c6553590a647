import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { activeBackend, selectBackend } from '../../../engine/backend/select-backend.ts';

/** Backend choice: order, forcing, and reasons a person can act on. */

function installed(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

const NATIVE = installed('@tensorflow/tfjs-node-gpu') || installed('@tensorflow/tfjs-node');

describe('selectBackend', () => {
  it.skipIf(NATIVE)('chooses wasm when no tensorflow package is installed, and says why', async () => {
    const choice = await selectBackend({ env: {} });
    expect(choice).toEqual({
      name: 'wasm',
      reason: 'wasm: @tensorflow/tfjs-node-gpu is not installed; @tensorflow/tfjs-node is not installed',
    });
    expect(activeBackend()).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    // Set before any attempt to load libtensorflow, so a GPU build would not take all memory.
    expect(process.env.TF_FORCE_GPU_ALLOW_GROWTH).toBe('true');
  });

  it('obeys VOXNAS_BACKEND and the force option, forcing wins', async () => {
    expect(await selectBackend({ env: { VOXNAS_BACKEND: 'cpu' } })).toEqual({
      name: 'cpu',
      reason: 'cpu: forced by VOXNAS_BACKEND=cpu (pure JavaScript)',
    });
    expect(activeBackend()).toBe('cpu');
    expect(await selectBackend({ force: 'wasm', env: { VOXNAS_BACKEND: 'cpu' } })).toEqual({
      name: 'wasm',
      reason: 'wasm: forced by option (@tensorflow/tfjs-backend-wasm started)',
    });
    expect(activeBackend()).toBe('wasm');
  });

  it('refuses an unknown name and a forced backend that cannot start, never falling back', async () => {
    await expect(selectBackend({ env: { VOXNAS_BACKEND: 'webgl' } })).rejects.toThrow(
      'VOXNAS_BACKEND=webgl is not a backend: use one of tensorflow, wasm, cpu',
    );
    if (!NATIVE) {
      await expect(selectBackend({ force: 'tensorflow' })).rejects.toThrow(
        'tensorflow backend forced by option cannot start: @tensorflow/tfjs-node-gpu is not installed; @tensorflow/tfjs-node is not installed',
      );
    }
  });

  it('wasm keeps tensors valid after clone/dispose with the data-sharing Identity', async () => {
    await selectBackend({ force: 'wasm' });
    const a = tf.tensor([1, 2, 3]);
    const b = tf.clone(a);
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
    const kept = tf.tidy(() => tf.keep(tf.clone(b)));
    b.dispose();
    expect(Array.from(kept.dataSync())).toEqual([1, 2, 3]);
    kept.dispose();
  });
});
