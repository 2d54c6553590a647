import { resolve } from 'node:path';
import type { IntegrityReport } from '../../api/integrity.ts';
import { checkDataset, importCheckedDataset } from '../../data/dataset-check.ts';
import { isInputError } from '../../io/input-error.ts';
import { sampleDatasetDir } from '../../runtime/paths.ts';
import { EXIT, type CliCommand, type CliIo, type ExitCode } from '../cli-io.ts';
import { formatCheck, formatSummary } from './dataset-report.ts';

const USAGE = `voxnas dataset check [<folder>] [--json]
       voxnas dataset import [<folder>] --workspace <dir> [--force] [--json]
  <folder>  an MSD, nnU-Net v2 raw, or images/ + labels/ dataset folder (default: the embedded sample)`;

interface DatasetArgs {
  subcommand: 'check' | 'import';
  folder: string;
  json: boolean;
  force: boolean;
  workspace: string | null;
}

/** Parses the arguments after `dataset`; a string is the problem to report. */
function parseArgs(args: readonly string[]): DatasetArgs | string {
  const [subcommand, ...rest] = args;
  if (subcommand !== 'check' && subcommand !== 'import') return subcommand === undefined ? 'name a subcommand, check or import' : `unknown subcommand '${subcommand}'`;
  const positional: string[] = [];
  const parsed: DatasetArgs = { subcommand, folder: '', json: false, force: false, workspace: null };
  for (let index = 0; index < rest.length; index += 1) {
    const arg = rest[index]!;
    if (arg === '--json') parsed.json = true;
    else if (arg === '--force' && subcommand === 'import') parsed.force = true;
    else if (arg === '--workspace' && subcommand === 'import') {
      const value = rest[index + 1];
      if (value === undefined || value.startsWith('--')) return '--workspace needs a folder';
      parsed.workspace = value;
      index += 1;
    } else if (arg.startsWith('-')) return `unknown option '${arg}'`;
    else positional.push(arg);
  }
  if (positional.length > 1) return `give one dataset folder, not ${positional.length}`;
  if (subcommand === 'import' && parsed.workspace === null) return 'import needs --workspace <dir>';
  parsed.folder = resolve(positional[0] ?? sampleDatasetDir());
  return parsed;
}

const errorCodes = (report: IntegrityReport) => [...new Set(report.findings.filter((finding) => finding.severity === 'error').map((finding) => finding.code))].join(', ');

function firstError(report: IntegrityReport): string {
  const finding = report.findings.find((entry) => entry.severity === 'error');
  return finding === undefined ? '' : ` First: [${finding.code}] ${finding.case ?? ''}${finding.case ? ': ' : ''}${finding.message}.`;
}

async function runCheck(args: DatasetArgs, io: CliIo): Promise<ExitCode> {
  const check = await checkDataset(args.folder);
  io.stdout.write(args.json ? `${JSON.stringify({ report: check.report, fingerprint: check.fingerprint, seconds: check.seconds }, null, 2)}\n` : formatCheck(check));
  if (check.report.errors === 0) return EXIT.ok;
  io.stderr.write(`voxnas dataset check: ${args.folder} has ${formatSummary(check.report)} (${errorCodes(check.report)}).${firstError(check.report)}\n`);
  return EXIT.badInput;
}

async function runImport(args: DatasetArgs, io: CliIo): Promise<ExitCode> {
  const workspace = resolve(args.workspace!);
  const outcome = await importCheckedDataset(args.folder, workspace, { force: args.force });
  const { report, fingerprint } = outcome.check;
  if (args.json) {
    io.stdout.write(`${JSON.stringify({ imported: outcome.imported, workspace, written: outcome.written, excludedCases: outcome.excludedCases, report, fingerprint, dataset: outcome.dataset }, null, 2)}\n`);
  } else {
    io.stdout.write(formatCheck(outcome.check));
    if (outcome.imported) {
      const left = outcome.excludedCases.length > 0 ? ` (left out ${outcome.excludedCases.length} with errors: ${outcome.excludedCases.join(', ')})` : '';
      io.stdout.write(`Imported ${outcome.dataset!.cases.length} cases${left} into ${workspace}: dataset.json, fingerprint.json\n`);
    }
  }
  if (outcome.imported) return EXIT.ok;
  io.stderr.write(
    `voxnas dataset import: refused to import ${args.folder}: ${formatSummary(report)} (${errorCodes(report)}).${firstError(report)} Fix them, or pass --force to import without the ${outcome.check.casesWithErrors.length} cases that have errors.\n`,
  );
  return EXIT.badInput;
}

export const datasetCommand: CliCommand = {
  summary: "Check a dataset folder's integrity and fingerprint, or import it into a workspace",
  usage: USAGE,
  async run(args, io) {
    const parsed = parseArgs(args);
    if (typeof parsed === 'string') {
      io.stderr.write(`voxnas dataset: ${parsed}. Usage: ${USAGE}\n`);
      return EXIT.badInput;
    }
    try {
      return await (parsed.subcommand === 'check' ? runCheck(parsed, io) : runImport(parsed, io));
    } catch (error) {
      if (!isInputError(error)) throw error;
      io.stderr.write(`voxnas dataset ${parsed.subcommand}: ${error.message}\n`);
      return EXIT.badInput;
    }
  },
};
