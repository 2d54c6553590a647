import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { COMMANDS, runCli } from '../../../engine/cli/run-cli.ts';

const run = promisify(execFile);
const packageJson = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string; bin: Record<string, string> };

function memoryIo() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: { stdout: { write: (text: string) => (out.stdout += text) }, stderr: { write: (text: string) => (out.stderr += text) } },
  };
}

/** Runs the installed `voxnas` command the way a user does after `npm ci`. */
async function voxnas(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npx', ['--no-install', 'voxnas', ...args], { encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('voxnas command line', () => {
  it('npx voxnas --help lists every command, --version prints the package version', async () => {
    const help = await voxnas('--help');
    expect(help.code).toBe(0);
    for (const [name, command] of Object.entries(COMMANDS)) {
      expect(help.stdout).toMatch(new RegExp(`^  ${name}\\s+${command.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    }
    expect(await voxnas('--version')).toMatchObject({ code: 0, stdout: `${packageJson.version}\n` });
  });

  it('rejects an unknown command with exit code 2 and says what to do', async () => {
    const result = await voxnas('serch');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'serch'. Run 'voxnas --help' to list the commands.");
  });

  it('info --json describes this machine and finds the embedded sample dataset', async () => {
    const { io, out } = memoryIo();
    expect(await runCli(['info', '--json'], io)).toBe(0);
    const report = JSON.parse(out.stdout);
    expect(report).toMatchObject({
      version: packageJson.version,
      node: process.versions.node,
      sampleDataset: { present: true },
      packages: { 'onnxruntime-node': true, '@tensorflow/tfjs-backend-wasm': true },
    });
    // No tfjs-node here: the wasm backend runs, and the report says why.
    expect(report.backend).toMatch(/^wasm: @tensorflow\/tfjs-node-gpu is not installed/);
    expect(report.sampleDataset.path.replaceAll('\\', '/')).toMatch(/resources\/sample$/);
  });

  it('a command prints its usage with --help and refuses unknown arguments', async () => {
    const help = memoryIo();
    expect(await runCli(['info', '--help'], help.io)).toBe(0);
    expect(help.out.stdout).toContain('Usage: voxnas info [--json]');
    const bad = memoryIo();
    expect(await runCli(['info', '--jsn'], bad.io)).toBe(2);
    expect(bad.out.stderr).toBe("voxnas info: unknown argument '--jsn'. Usage: voxnas info [--json]\n");
  });

  it('search refuses a search fraction outside (0, 1) before touching any workspace', async () => {
    for (const value of ['1', '0', 'half']) {
      const bad = memoryIo();
      expect(await runCli(['search', 'resources/sample', '--strategy', 'enas', '--budget', '10m', '--search-fraction', value], bad.io)).toBe(2);
      expect(bad.out.stderr).toContain(`--search-fraction takes a number between 0 and 1 (the search phase's share of the budget), not '${value}'`);
      expect(bad.out.stderr).not.toContain('workspace:');
    }
  });
});
