import { runCli } from '../../engine/cli/run-cli.ts';

/** Runs a `voxnas` command in this process and captures what it prints. */
export async function voxnasInProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const code = await runCli(args, { stdout: { write: (text: string) => (out.stdout += text) }, stderr: { write: (text: string) => (out.stderr += text) } });
  return { code, ...out };
}
