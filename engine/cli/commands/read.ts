import { readVolume } from '../../io/read-volume.ts';
import { affineRas, voxelStats } from '../../io/volume.ts';
import { EXIT, type CliCommand } from '../cli-io.ts';
import { parseOptions } from '../parse-options.ts';

const USAGE = 'voxnas read <file | dicom-folder | DICOMDIR> [--series <SeriesInstanceUID>] [--reference <series-folder>] [--json]';
/** Rounds away float noise in geometry (1e-9 mm) so that printed matrices are readable. */
const tidy = (value: number) => Math.round(value * 1e9) / 1e9 || 0;

export const readCommand: CliCommand = {
  summary: 'Read one image (NIfTI, DICOM file, DICOM series folder) and print its geometry and value range',
  usage: USAGE,
  async run(args, io) {
    const parsed = parseOptions(args, { values: ['--series', '--reference'], flags: ['--json'] });
    const problem = 'error' in parsed ? parsed.error : parsed.positional.length !== 1 ? 'give exactly one file or folder' : null;
    if (problem !== null || 'error' in parsed) {
      io.stderr.write(`voxnas read: ${problem}. Usage: ${USAGE}\n`);
      return EXIT.badInput;
    }
    const { values, positional } = parsed;
    const json = parsed.flags.has('--json');
    const options = {
      ...(values['--series'] ? { seriesInstanceUid: values['--series'] } : {}),
      ...(values['--reference'] ? { referenceSeries: values['--reference'] } : {}),
    };
    const { volume, format, warnings } = await readVolume(positional[0]!, options);
    const stats = voxelStats(volume.data);
    const report = {
      format,
      dims: volume.dims,
      spacing: volume.spacing.map(tidy),
      affine: affineRas(volume).map((row) => row.map(tidy)),
      dtype: volume.sourceDtype,
      channels: volume.channels,
      stats: { min: stats.min, max: stats.max, mean: stats.mean, sum: stats.sum, nonFinite: stats.nonFinite },
      warnings,
    };
    for (const warning of warnings) io.stderr.write(`voxnas read: warning: ${warning}\n`);
    if (json) {
      io.stdout.write(`${JSON.stringify(report)}\n`);
    } else {
      io.stdout.write(
        [
          `${positional[0]} (${format})`,
          `dims ${report.dims.join(' x ')}, ${report.channels} channel(s), ${report.dtype}`,
          `spacing ${report.spacing.join(' x ')} mm`,
          'affine (voxel to RAS+ mm):',
          ...report.affine.map((row) => `  ${row.map((value) => value.toFixed(4).padStart(12)).join('')}`),
          `values min ${stats.min} max ${stats.max} mean ${stats.mean.toPrecision(6)}${stats.nonFinite ? `, ${stats.nonFinite} NaN/Inf` : ''}`,
          '',
        ].join('\n'),
      );
    }
    return EXIT.ok;
  },
};
