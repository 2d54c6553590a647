import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The project's shared real-data folder (../shared/data from the repository root, also on CI).
 * VOXNAS_SHARED_DATA overrides it.
 */
export const SHARED_DATA = resolve(process.env['VOXNAS_SHARED_DATA'] ?? join('..', 'shared', 'data'));

export function requireSharedData(): string {
  if (!existsSync(join(SHARED_DATA, 'README.md'))) {
    throw new Error(`The shared test data is missing at ${SHARED_DATA}: clone the project next to its shared/ folder, or set VOXNAS_SHARED_DATA.`);
  }
  return SHARED_DATA;
}
