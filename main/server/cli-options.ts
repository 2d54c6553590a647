/**
 * The arguments of `npm run serve [-- --port N] [--workspace-root DIR]`, parsed into options or a
 * usage error that says what to type instead.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

export const SERVE_USAGE = `Usage: npm run serve [-- --port N] [--workspace-root DIR]

Starts VoxNAS in browser mode on 127.0.0.1 and prints the link to open (it carries a random token).
  --port N               listen on port N (default: a free port)
  --workspace-root DIR   folder the app suggests for new workspaces (default: none)
  --help                 this text
State (recent workspaces) lives in $VOXNAS_STATE_DIR, or ~/.voxnas.
From a laptop: ssh -L N:127.0.0.1:N workstation, run with --port N there, open the link here.`;

export interface ServeOptions {
  port: number | undefined;
  workspaceRoot: string | undefined;
  stateDir: string;
  help: boolean;
}

export class UsageError extends Error {}

export function parseServeArguments(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, cwd: string): ServeOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { port: { type: 'string' }, 'workspace-root': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${SERVE_USAGE}`);
  }
  const { values } = parsed;
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port < 1 || port > 65535) {
      throw new UsageError(`--port must be a whole number from 1 to 65535, not '${values.port}' (leave it out for a free port).`);
    }
  }
  const root = values['workspace-root'];
  const stateDir = env['VOXNAS_STATE_DIR'];
  return {
    port,
    workspaceRoot: root === undefined ? undefined : resolve(cwd, root),
    stateDir: stateDir ? (isAbsolute(stateDir) ? stateDir : resolve(cwd, stateDir)) : join(homedir(), '.voxnas'),
    help: values.help === true,
  };
}
