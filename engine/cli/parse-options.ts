/**
 * Splits command arguments into `--name value` options, `--flag`s and positionals. Returns an error
 * value for an unknown option or a missing value, so each command words its own usage message.
 */
export function parseOptions(
  args: readonly string[],
  known: { values: readonly string[]; flags: readonly string[] },
): { values: Record<string, string>; flags: Set<string>; positional: string[] } | { error: string } {
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (known.flags.includes(arg)) flags.add(arg);
    else if (known.values.includes(arg)) {
      const value = args[index + 1];
      if (value === undefined || value.startsWith('--')) return { error: `option '${arg}' needs a value` };
      values[arg] = value;
      index += 1;
    } else if (arg.startsWith('--')) return { error: `unknown option '${arg}'` };
    else positional.push(arg);
  }
  return { values, flags, positional };
}
