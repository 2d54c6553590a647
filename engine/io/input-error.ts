/**
 * Bad input from the user's files: unreadable, unsupported or inconsistent. The message names the
 * file and says what to do; the CLI prints it on one line and exits with code 2.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    /** The file or folder at fault. */
    readonly file: string,
    /** What is wrong, in one sentence. */
    readonly problem: string,
    /** What the user can do about it. */
    readonly hint: string,
  ) {
    super(`${file}: ${problem}. ${hint}`);
  }
}

export const isInputError = (error: unknown): error is InputError => error instanceof InputError;
