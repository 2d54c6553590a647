/** Where a command writes; tests pass in-memory sinks. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** Exit codes of every `voxnas` command. */
export const EXIT = {
  ok: 0,
  /** The command ran and failed (e.g. a training run diverged). */
  failed: 1,
  /** Bad input: unknown command or flag, unreadable or invalid file. The message says what to do. */
  badInput: 2,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A command of the `voxnas` CLI: data about it plus one function. */
export interface CliCommand {
  summary: string;
  usage: string;
  run(args: readonly string[], io: CliIo): Promise<ExitCode>;
}
