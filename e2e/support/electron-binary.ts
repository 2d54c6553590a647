import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Path of the Electron executable, or the reason there is none. Checked without `require('electron')`,
 * which would try to download the binary (these machines cannot reach the download host).
 */
export function findElectronBinary(): { path: string } | { reason: string } {
  const packageDir = join('node_modules', 'electron');
  const pathFile = join(packageDir, 'path.txt');
  const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  const relativePath = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  if (override) {
    const path = join(override, relativePath ?? 'electron');
    return existsSync(path) ? { path } : { reason: `ELECTRON_OVERRIDE_DIST_PATH is set but ${path} does not exist` };
  }
  if (relativePath === null) {
    return { reason: "Electron's binary is not installed (node_modules/electron/path.txt is missing; npm fetches it on a machine with internet access)" };
  }
  const path = join(packageDir, 'dist', relativePath);
  return existsSync(path) ? { path } : { reason: `Electron's binary is missing at ${path}` };
}
