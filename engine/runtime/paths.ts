import { join } from 'node:path';

/**
 * Folder of the bundled resources (genomes, search spaces, the embedded sample dataset).
 * The environment variable VOXNAS_RESOURCES wins; the packaged app's main process sets it for the
 * worker. Otherwise the folder is found from this file: engine/runtime/ in the source tree and
 * out/main/ in the build are both two levels below the project root.
 */
export function resourcesDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['VOXNAS_RESOURCES'] ?? join(import.meta.dirname, '..', '..', 'resources');
}

/** The embedded default dataset (10 MSD Hippocampus cases, MSD layout) opened when the user names none. */
export function sampleDatasetDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(resourcesDir(env), 'sample');
}
