import { networkCost } from '../../network/cost-model.ts';
import { decodeGenome } from '../../network/decode.ts';
import { loadGenome } from '../../network/load-genome.ts';
import type { Triple } from '../../network/spec.ts';
import { EXIT, type CliCommand } from '../cli-io.ts';
import { parseOptions } from '../parse-options.ts';

const USAGE = 'voxnas cost --genome <file> --patch D,H,W [--batch N] [--channels C] [--classes K] [--json]';

export const costCommand: CliCommand = {
  summary: 'Parameters, FLOPs and activation memory of a genome for a patch size and batch',
  usage: USAGE,
  async run(args, io) {
    const parsed = parseOptions(args, { values: ['--genome', '--patch', '--batch', '--channels', '--classes'], flags: ['--json'] });
    const fail = (message: string) => {
      io.stderr.write(`voxnas cost: ${message}. Usage: ${USAGE}\n`);
      return EXIT.badInput;
    };
    if ('error' in parsed) return fail(parsed.error);
    const { values, flags } = parsed;
    if (parsed.positional.length > 0) return fail(`unexpected argument '${parsed.positional[0]}'`);
    if (!values['--genome'] || !values['--patch']) return fail('--genome and --patch are required');
    const patch = values['--patch'].split(',').map(Number);
    const integer = (name: string, fallback: number) => {
      const value = values[name] === undefined ? fallback : Number(values[name]);
      return Number.isInteger(value) && value > 0 ? value : null;
    };
    const batch = integer('--batch', 2);
    const channels = integer('--channels', 1);
    const classes = integer('--classes', 3);
    if (patch.length !== 3 || batch === null || channels === null || classes === null) return fail('--patch takes three integers D,H,W; --batch, --channels and --classes positive integers');
    const spec = decodeGenome(await loadGenome(values['--genome']), { inputChannels: channels, classes });
    const cost = networkCost(spec, patch as Triple, batch);
    if ('error' in cost) return fail(cost.error);
    const report = { archId: spec.archId, patch, batch, params: cost.params, flops: cost.flops, activation_bytes: cost.activationBytes };
    io.stdout.write(
      flags.has('--json')
        ? `${JSON.stringify(report)}\n`
        : `${report.archId}: ${report.params.toLocaleString('en')} parameters, ${(report.flops / 1e9).toFixed(2)} GFLOPs per forward pass, ${(report.activation_bytes / 2 ** 20).toFixed(1)} MiB of activations (patch ${patch.join('x')}, batch ${batch})\n`,
    );
    return EXIT.ok;
  },
};
