import { InputError } from '../../io/input-error.ts';
import { evaluateFolders } from '../../evaluate/evaluate-folders.ts';
import { metricsReportCsv, type MetricsReport } from '../../evaluate/metrics-report.ts';
import { writeFileAtomic } from '../../runtime/atomic-write.ts';
import { EXIT, type CliCommand } from '../cli-io.ts';
import { parseOptions } from '../parse-options.ts';

const USAGE = 'voxnas evaluate --pred <folder> --labels <folder> [--classes 1,2] [--tolerance-mm 1] [--json] [--csv <file>]';

const fixed = (value: number, digits: number) => (Number.isNaN(value) ? 'NaN' : value.toFixed(digits));

function table(report: MetricsReport): string {
  const header = `${'label'.padEnd(8)}${'dice'.padStart(8)}${'iou'.padStart(8)}${'hd95_mm'.padStart(10)}${'surf_dice'.padStart(11)}${'cases'.padStart(7)}`;
  const row = (name: string, metrics: { dice: number; iou: number; hd95: number; surfaceDice: number }, cases: string) =>
    `${name.padEnd(8)}${fixed(metrics.dice, 4).padStart(8)}${fixed(metrics.iou, 4).padStart(8)}${fixed(metrics.hd95, 2).padStart(10)}${fixed(metrics.surfaceDice, 4).padStart(11)}${cases.padStart(7)}`;
  return [
    `${report.cases.length} case(s), labels ${report.labels.join(', ')}; surface Dice within ${report.toleranceMm} mm; means skip cases where a label is in neither map`,
    header,
    ...report.labels.map((label) => row(String(label), report.meanPerLabel[String(label)]!, String(report.meanPerLabel[String(label)]!.cases))),
    row('mean', report.mean, ''),
    '',
  ].join('\n');
}

export const evaluateCommand: CliCommand = {
  summary: 'Dice, IoU, HD95 and surface Dice of predicted label maps against reference labels, per case and mean',
  usage: USAGE,
  async run(args, io) {
    const parsed = parseOptions(args, { values: ['--pred', '--labels', '--classes', '--tolerance-mm', '--csv'], flags: ['--json'] });
    const fail = (message: string) => {
      io.stderr.write(`voxnas evaluate: ${message}. Usage: ${USAGE}\n`);
      return EXIT.badInput;
    };
    if ('error' in parsed) return fail(parsed.error);
    const { values, flags, positional } = parsed;
    if (positional.length > 0) return fail(`unexpected argument '${positional[0]}'`);
    if (!values['--pred'] || !values['--labels']) return fail('--pred and --labels are required');
    const toleranceMm = values['--tolerance-mm'] === undefined ? undefined : Number(values['--tolerance-mm']);
    if (toleranceMm !== undefined && !(Number.isFinite(toleranceMm) && toleranceMm >= 0)) return fail(`--tolerance-mm takes a number of mm >= 0, got '${values['--tolerance-mm']}'`);
    const classes = values['--classes']?.split(',').map(Number);
    if (classes !== undefined && !classes.every((label) => Number.isInteger(label) && label > 0 && label <= 65535)) return fail(`--classes takes label values separated by commas (e.g. 1,2), got '${values['--classes']}'`);

    const { report, warnings } = await evaluateFolders({
      predictions: values['--pred'],
      references: values['--labels'],
      ...(classes ? { labels: classes } : {}),
      ...(toleranceMm !== undefined ? { toleranceMm } : {}),
    });
    for (const warning of warnings) io.stderr.write(`voxnas evaluate: warning: ${warning}\n`);
    const csvPath = values['--csv'];
    if (csvPath) {
      try {
        await writeFileAtomic(csvPath, metricsReportCsv(report));
      } catch (error) {
        throw new InputError(csvPath, `cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, 'Check that its folder exists and is writable.');
      }
    }
    io.stdout.write(flags.has('--json') ? `${JSON.stringify(report)}\n` : table(report));
    return EXIT.ok;
  },
};
