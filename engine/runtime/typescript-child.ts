import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

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

/**
 * A child-process entry next to the calling module: `<name>.ts` in the source tree (run through
 * tsx), else `<name>.js` (the build: electron-vite emits the helper entries next to the chunks that
 * start them).
 */
export function childEntry(moduleUrl: string, name: string): { entry: string; execArgv: string[] } {
  const source = fileURLToPath(new URL(`./${name}.ts`, moduleUrl));
  const entry = existsSync(source) ? source : fileURLToPath(new URL(`./${name}.js`, moduleUrl));
  return { entry, execArgv: typescriptExecArgv(entry) };
}
