import { PRODUCT_NAME, VOXNAS_VERSION } from '../version.ts';
import { EXIT, type CliCommand, type CliIo, type ExitCode } from './cli-io.ts';
import { isInputError } from '../io/input-error.ts';
import { datasetCommand } from './commands/dataset.ts';
import { infoCommand } from './commands/info.ts';
import { readCommand } from './commands/read.ts';
import { costCommand } from './commands/cost.ts';
import { evaluateCommand } from './commands/evaluate.ts';
import { planCommand } from './commands/plan.ts';
import { exportCommand } from './commands/export.ts';
import { trainCommand } from './commands/train.ts';
import { predictCommand } from './commands/predict.ts';
import { demoCommand } from './commands/demo.ts';
import { searchCommand } from './commands/search.ts';

/** Every command, in the order of a researcher's work. */
export const COMMANDS = {
  demo: demoCommand,
  info: infoCommand,
  read: readCommand,
  dataset: datasetCommand,
  plan: planCommand,
  train: trainCommand,
  search: searchCommand,
  predict: predictCommand,
  evaluate: evaluateCommand,
  cost: costCommand,
  export: exportCommand,
} satisfies Record<string, CliCommand>;

export type CommandName = keyof typeof COMMANDS;

function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

export function helpText(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 2;
  const commands = Object.entries(COMMANDS)
    .map(([name, command]) => `  ${name.padEnd(width)}${command.summary}`)
    .join('\n');
  return `${PRODUCT_NAME} ${VOXNAS_VERSION}: neural architecture search for 3D medical image segmentation

Usage: voxnas <command> [options]
       voxnas --help | --version

Commands:
${commands}

Options:
  -h, --help     show this help (after a command: that command's usage)
  -V, --version  print the version

Exit codes: 0 success, 1 the command failed, 2 bad input (the message names the file and what to do).
`;
}

/** Runs the CLI on argv (without node and the script path); returns the process exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.stdout.write(helpText());
    return EXIT.ok;
  }
  if (first === '--version' || first === '-V') {
    io.stdout.write(`${VOXNAS_VERSION}\n`);
    return EXIT.ok;
  }
  if (!isCommandName(first)) {
    io.stderr.write(`voxnas: unknown command '${first}'. Run 'voxnas --help' to list the commands.\n`);
    return EXIT.badInput;
  }
  const command = COMMANDS[first];
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.summary}\n\nUsage: ${command.usage}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    // Bad input is the user's to fix: one line, no stack trace. Anything else is our bug.
    if (isInputError(error)) {
      io.stderr.write(`voxnas ${first}: ${error.message}\n`);
      return EXIT.badInput;
    }
    const detail = process.env['VOXNAS_DEBUG'] ? (error as Error).stack : (error as Error).message;
    io.stderr.write(`voxnas ${first}: internal error: ${detail}. Please report it (set VOXNAS_DEBUG=1 for details).\n`);
    return EXIT.failed;
  }
}
