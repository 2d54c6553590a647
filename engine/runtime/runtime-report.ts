import { existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { VOXNAS_VERSION } from '../version.ts';
import { isInstalled } from './installed.ts';
import { sampleDatasetDir } from './paths.ts';

/** Optional packages whose presence decides what the engine can run. */
const OPTIONAL_PACKAGES = [
  '@tensorflow/tfjs-node-gpu',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-backend-wasm',
  'onnxruntime-node',
] as const;

export interface RuntimeReport {
  version: string;
  node: string;
  platform: string;
  arch: string;
  cpus: number;
  /** Total memory in bytes. */
  memoryBytes: number;
  sampleDataset: { path: string; present: boolean };
  /** Whether each optional package can be resolved from the engine (installed, not necessarily working). */
  packages: Record<(typeof OPTIONAL_PACKAGES)[number], boolean>;
}

/** What this machine offers the engine; `voxnas info` prints it. */
export function describeRuntime(env: NodeJS.ProcessEnv = process.env): RuntimeReport {
  const samplePath = sampleDatasetDir(env);
  const packages = Object.fromEntries(OPTIONAL_PACKAGES.map((name) => [name, isInstalled(name)]));
  return {
    version: VOXNAS_VERSION,
    node: process.versions.node,
    platform: process.platform,
    arch: process.arch,
    cpus: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    sampleDataset: { path: samplePath, present: existsSync(join(samplePath, 'dataset.json')) },
    packages: packages as RuntimeReport['packages'],
  };
}
