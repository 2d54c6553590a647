import { selectBackend } from '../../backend/select-backend.ts';
import { describeRuntime, type RuntimeReport } from '../../runtime/runtime-report.ts';
import { EXIT, type CliCommand } from '../cli-io.ts';

function formatReport(report: RuntimeReport & { backend: string }): string {
  const gib = (report.memoryBytes / 2 ** 30).toFixed(1);
  const packages = Object.entries(report.packages)
    .map(([name, present]) => `  ${name.padEnd(32)}${present ? 'installed' : 'not installed'}`)
    .join('\n');
  return [
    `VoxNAS ${report.version}`,
    `Node.js ${report.node} on ${report.platform}/${report.arch}, ${report.cpus} cores, ${gib} GiB`,
    `Sample dataset: ${report.sampleDataset.path} (${report.sampleDataset.present ? 'present' : 'missing'})`,
    `Training backend: ${report.backend}`,
    'Optional packages:',
    packages,
    '',
  ].join('\n');
}

export const infoCommand: CliCommand = {
  summary: 'Show the version, this machine, the sample dataset and which compute packages are installed',
  usage: 'voxnas info [--json]',
  async run(args, io) {
    const unknown = args.filter((arg) => arg !== '--json');
    if (unknown.length > 0) {
      io.stderr.write(`voxnas info: unknown argument '${unknown[0]}'. Usage: ${this.usage}\n`);
      return EXIT.badInput;
    }
    // Which TensorFlow.js backend training would use here, and why (VOXNAS_BACKEND forces one).
    const backend = await selectBackend().then(
      (choice) => choice.reason,
      (error: Error) => `none: ${error.message}`,
    );
    const report = { ...describeRuntime(), backend };
    io.stdout.write(args.includes('--json') ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return EXIT.ok;
  },
};
