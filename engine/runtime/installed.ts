import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/** Whether a package resolves from the engine: installed (whether it loads is another question). */
export function isInstalled(name: string): boolean {
  // A package's "exports" may hide package.json, and an ES-only package may hide its main entry.
  for (const request of [`${name}/package.json`, name]) {
    try {
      requireHere.resolve(request);
      return true;
    } catch {
      // try the next form
    }
  }
  return false;
}
