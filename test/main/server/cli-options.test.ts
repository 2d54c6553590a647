import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseServeArguments } from '../../../main/server/cli-options.ts';

describe('npm run serve arguments', () => {
  it('defaults to a free port, no workspace root and ~/.voxnas; reads --port, --workspace-root and VOXNAS_STATE_DIR', () => {
    expect(parseServeArguments([], {}, '/home/ada')).toEqual({ port: undefined, workspaceRoot: undefined, stateDir: join(homedir(), '.voxnas'), help: false });
    expect(parseServeArguments(['--port', '8765', '--workspace-root', 'studies'], { VOXNAS_STATE_DIR: 'state' }, '/home/ada')).toEqual({
      port: 8765,
      workspaceRoot: '/home/ada/studies',
      stateDir: '/home/ada/state',
      help: false,
    });
    expect(parseServeArguments(['--port=1', '-h'], { VOXNAS_STATE_DIR: '/var/voxnas' }, '/')).toMatchObject({ port: 1, stateDir: '/var/voxnas', help: true });
  });

  it('rejects bad ports and unknown options with a message that says what to type', () => {
    const message = (argv: string[]) => {
      try {
        parseServeArguments(argv, {}, '/');
        return 'accepted';
      } catch (error) {
        return (error as Error).message.split('\n')[0];
      }
    };
    expect(['0', '65536', '80x', '-1', '1.5'].map((port) => message([`--port=${port}`]))).toEqual(
      ['0', '65536', '80x', '-1', '1.5'].map((port) => `--port must be a whole number from 1 to 65535, not '${port}' (leave it out for a free port).`),
    );
    expect(message(['--host', '0.0.0.0'])).toMatch(/Unknown option '--host'/);
    expect(message(['somewhere'])).toMatch(/positional argument/);
  });
});
