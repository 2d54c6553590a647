import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * Node options for a child process that runs one of our TypeScript entry files (source tree, CLI,
 * tests): tsx's loader by absolute URL, so that it resolves whatever the current folder is (a bare
 * 'tsx' would be looked up from the user's working directory). A bundled app runs built .js
 * entries instead and needs none.
 */
export function typescriptExecArgv(entry: string): string[] {
  if (!entry.endsWith('.ts')) return [];
  return ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
}
