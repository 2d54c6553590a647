import * as tf from '@tensorflow/tfjs';
import { isInstalled } from '../runtime/installed.ts';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { installSharedIdentity } from './wasm/shared-identity.ts';

/**
 * Chooses the TensorFlow.js backend for this process. The only module that knows which backend
 * runs: network code calls ops3d.ts, which asks activeBackend() to pick a kernel set.
 *
 * Order: tensorflow (native libtensorflow through @tensorflow/tfjs-node-gpu, else
 * @tensorflow/tfjs-node) when importable, else wasm (@tensorflow/tfjs-backend-wasm, SIMD binary
 * read from the package folder, no fetch), else cpu (pure JavaScript, slow but always there).
 * Forcing: `options.force`, else the environment variable VOXNAS_BACKEND=tensorflow|wasm|cpu.
 * A forced backend that cannot start is an error, never a silent fallback.
 */

export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendChoice {
  name: BackendName;
  /** Why this one, e.g. "wasm: @tensorflow/tfjs-node-gpu is not installed; ...". */
  reason: string;
}

export interface SelectBackendOptions {
  force?: BackendName;
  /** Where VOXNAS_BACKEND is read; process.env by default. */
  env?: NodeJS.ProcessEnv;
}

const TENSORFLOW_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

type Attempt = { ok: true; detail: string } | { ok: false; why: string };

function isBackendName(value: string): value is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(value);
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

const requireHere = createRequire(import.meta.url);

async function startTensorflow(): Promise<Attempt> {
  // libtensorflow reserves all GPU memory at start unless told otherwise; budgets need growth.
  process.env.TF_FORCE_GPU_ALLOW_GROWTH ??= 'true';
  const reasons: string[] = [];
  for (const pkg of TENSORFLOW_PACKAGES) {
    if (!isInstalled(pkg)) {
      reasons.push(`${pkg} is not installed`);
      continue;
    }
    try {
      // A variable specifier: the package is optional and must stay out of bundles.
      const specifier: string = pkg;
      await import(specifier);
    } catch (error) {
      reasons.push(`${pkg} failed to load (${firstLine(error)})`);
      continue;
    }
    if (tf.findBackendFactory('tensorflow') === null) {
      reasons.push(`${pkg} loaded but registered its backend with another copy of @tensorflow/tfjs-core`);
      continue;
    }
    if (await tf.setBackend('tensorflow')) return { ok: true, detail: `${pkg} loaded` };
    reasons.push(`${pkg} loaded but its backend did not start`);
  }
  return { ok: false, why: reasons.join('; ') };
}

async function startWasm(): Promise<Attempt> {
  const pkg = '@tensorflow/tfjs-backend-wasm';
  if (!isInstalled(pkg)) return { ok: false, why: `${pkg} is not installed` };
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const folder = dirname(requireHere.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
    // A file path prefix: in Node the Emscripten loader reads it with fs, nothing is fetched.
    wasm.setWasmPaths(`${folder}/`);
  } catch (error) {
    return { ok: false, why: `${pkg} failed to load (${firstLine(error)})` };
  }
  if (await tf.setBackend('wasm')) {
    installSharedIdentity();
    return { ok: true, detail: `${pkg} started` };
  }
  return { ok: false, why: `${pkg} did not start` };
}

async function startCpu(): Promise<Attempt> {
  return (await tf.setBackend('cpu')) ? { ok: true, detail: 'pure JavaScript' } : { ok: false, why: 'cpu did not start' };
}

const STARTERS: Record<BackendName, () => Promise<Attempt>> = {
  tensorflow: startTensorflow,
  wasm: startWasm,
  cpu: startCpu,
};

export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendChoice> {
  const env = options.env ?? process.env;
  const requested = options.force ?? env.VOXNAS_BACKEND;
  if (requested !== undefined && requested !== '') {
    if (!isBackendName(requested)) {
      throw new Error(`VOXNAS_BACKEND=${requested} is not a backend: use one of ${BACKEND_NAMES.join(', ')}`);
    }
    const how = options.force !== undefined ? 'forced by option' : `forced by VOXNAS_BACKEND=${requested}`;
    const attempt = await STARTERS[requested]();
    if (!attempt.ok) throw new Error(`${requested} backend ${how} cannot start: ${attempt.why}`);
    return { name: requested, reason: `${requested}: ${how} (${attempt.detail})` };
  }
  const failures: string[] = [];
  for (const name of BACKEND_NAMES) {
    const attempt = await STARTERS[name]();
    if (attempt.ok) {
      const reason = failures.length > 0 ? failures.join('; ') : attempt.detail;
      return { name, reason: `${name}: ${reason}` };
    }
    failures.push(attempt.why);
  }
  throw new Error(`no TensorFlow.js backend could start: ${failures.join('; ')}`);
}

/**
 * The backend the ops run on now. Throws for backends the engine does not support (webgl,
 * webgpu): their 3D kernels have not been checked.
 */
export function activeBackend(): BackendName {
  const name = tf.getBackend();
  if (isBackendName(name)) return name;
  throw new Error(`VoxNAS runs on ${BACKEND_NAMES.join(', ')}, not '${name}': call selectBackend() first`);
}
