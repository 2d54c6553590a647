import type { FingerprintJson } from '../../api/fingerprint.ts';
import type { IntegrityFinding, IntegrityReport } from '../../api/integrity.ts';
import type { DatasetCheck } from '../../data/dataset-check.ts';

const number = (value: number) => (Number.isInteger(value) ? String(value) : value.toPrecision(5));
const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

export function formatFinding(finding: IntegrityFinding): string {
  const where = [finding.case, finding.file].filter((part) => part !== null).join(' ');
  return `  ${finding.severity.padEnd(7)} [${finding.code}] ${where ? `${where}: ` : ''}${finding.message}\n           ${finding.hint}`;
}

function formatFingerprint(fingerprint: FingerprintJson): string[] {
  if (fingerprint.caseCount === 0 || fingerprint.medianSpacing === null || fingerprint.medianDims === null || fingerprint.anisotropy === null) {
    return ['Fingerprint: no training case could be measured'];
  }
  const { anisotropy } = fingerprint;
  const lines = [
    `Fingerprint of ${plural(fingerprint.caseCount, 'case')}${fingerprint.excludedCases.length > 0 ? ` (${fingerprint.excludedCases.length} left out: ${fingerprint.excludedCases.join(', ')})` : ''}:`,
    `  median spacing ${fingerprint.medianSpacing.map(number).join(' x ')} mm, median size ${fingerprint.medianDims.map(number).join(' x ')} voxels`,
    `  anisotropy ${anisotropy.ratio.toFixed(2)} (${anisotropy.anisotropic ? `anisotropic, coarse axis ${'ijk'[anisotropy.coarsestAxis]}` : 'not anisotropic'})`,
  ];
  for (const channel of fingerprint.intensity) {
    const stats = channel.statistics;
    lines.push(
      stats === null
        ? `  channel ${channel.channel} ${channel.name}: no foreground voxel`
        : `  channel ${channel.channel} ${channel.name}: foreground mean ${number(stats.mean)}, std ${number(stats.std)}, median ${number(stats.median)}, p0.5 ${number(stats.percentile00_5)}, p99.5 ${number(stats.percentile99_5)}, range ${number(stats.min)}..${number(stats.max)} (${channel.sampledVoxels} of ${channel.foregroundVoxels} voxels)`,
    );
  }
  for (const entry of fingerprint.classes) {
    lines.push(`  label ${entry.value} ${entry.name}: ${(entry.voxelFraction * 100).toFixed(3)}% of voxels, in ${entry.casesPresent}/${fingerprint.caseCount} cases`);
  }
  return lines;
}

export function formatSummary(report: IntegrityReport): string {
  return `${plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')}`;
}

/** The human-readable check report: dataset, findings, fingerprint. */
export function formatCheck(check: DatasetCheck): string {
  const { listing, report } = check;
  const channels = listing.channels ?? [];
  return [
    `Dataset ${listing.name} (${listing.layout}) in ${listing.folder}`,
    `  ${plural(report.caseCount, 'case')} (${report.readCases} read), ${plural(report.channels ?? channels.length, 'channel')}${channels.length > 0 ? ` (${channels.join(', ')})` : ''}, labels ${Object.entries(listing.labels ?? {}).map(([value, name]) => `${value} ${name}`).join(', ') || `found ${report.labelValues.join(', ')}`}`,
    `Integrity: ${formatSummary(report)}`,
    ...report.findings.map(formatFinding),
    ...formatFingerprint(check.fingerprint),
    `Checked in ${check.seconds.toFixed(1)} s`,
    '',
  ].join('\n');
}
