import { isRecord, type Validated } from '../api/validation.ts';
import type { ClassMetrics } from './metrics.ts';

/**
 * `metrics.json`: per-case metrics and their means (engine/evaluate/metrics.ts defines the metrics
 * and the empty-mask conventions). NaN ("not applicable": both masks empty) is written as null in
 * JSON and "NaN" in CSV; `parseMetricsReport` turns null back into NaN.
 */
export interface MetricsReport {
  schemaVersion: 1;
  /** The foreground labels evaluated, ascending. */
  labels: number[];
  /** Surface Dice tolerance in mm. */
  toleranceMm: number;
  cases: CaseMetricsEntry[];
  /** Per label (keyed by its value): the mean of each metric over the cases where it is not NaN. */
  meanPerLabel: Record<string, MeanMetrics>;
  /** The mean over labels of meanPerLabel (nnU-Net's "foreground_mean"); NaN if any label's is. */
  mean: Omit<MeanMetrics, 'cases'>;
}

export interface CaseMetricsEntry {
  caseId: string;
  /** Keyed by label value. */
  labels: Record<string, ClassMetrics>;
}

export interface MeanMetrics {
  dice: number;
  iou: number;
  hd95: number;
  surfaceDice: number;
  /** Cases that count in the mean: those where the label is in the reference or the prediction. */
  cases: number;
}

export const METRICS_SCHEMA_VERSION = 1;
const METRIC_NAMES = ['dice', 'iou', 'hd95', 'surfaceDice'] as const;

const meanOf = (values: number[]): number => {
  const counted = values.filter((value) => !Number.isNaN(value));
  return counted.length === 0 ? NaN : counted.reduce((sum, value) => sum + value, 0) / counted.length;
};

/** Means per label and overall; every case must have an entry for every label. */
export function summarizeMetrics(cases: readonly CaseMetricsEntry[], labels: readonly number[], toleranceMm: number): MetricsReport {
  const sortedLabels = [...labels].sort((a, b) => a - b);
  const meanPerLabel: Record<string, MeanMetrics> = {};
  for (const label of sortedLabels) {
    const entries = cases.map((entry) => {
      const metrics = entry.labels[String(label)];
      if (!metrics) throw new Error(`case ${entry.caseId} has no metrics for label ${label}`);
      return metrics;
    });
    meanPerLabel[String(label)] = {
      dice: meanOf(entries.map((metrics) => metrics.dice)),
      iou: meanOf(entries.map((metrics) => metrics.iou)),
      hd95: meanOf(entries.map((metrics) => metrics.hd95)),
      surfaceDice: meanOf(entries.map((metrics) => metrics.surfaceDice)),
      cases: entries.filter((metrics) => metrics.empty !== 'both').length,
    };
  }
  const perLabel = Object.values(meanPerLabel);
  const overall = (name: (typeof METRIC_NAMES)[number]) => (perLabel.length === 0 ? NaN : perLabel.reduce((sum, metrics) => sum + metrics[name], 0) / perLabel.length);
  return {
    schemaVersion: METRICS_SCHEMA_VERSION,
    labels: sortedLabels,
    toleranceMm,
    cases: [...cases],
    meanPerLabel,
    mean: { dice: overall('dice'), iou: overall('iou'), hd95: overall('hd95'), surfaceDice: overall('surfaceDice') },
  };
}

/** The report as JSON text (NaN -> null). */
export const metricsReportJson = (report: MetricsReport): string => `${JSON.stringify(report, null, 2)}\n`;

const csvNumber = (value: number): string => (Number.isNaN(value) ? 'NaN' : String(value));
const csvText = (text: string): string => (/[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

/**
 * One row per case and label, then one `mean` row per label and a `mean,all` row:
 * case,label,dice,iou,hd95_mm,surface_dice,reference_voxels,prediction_voxels,empty
 */
export function metricsReportCsv(report: MetricsReport): string {
  const rows = ['case,label,dice,iou,hd95_mm,surface_dice,reference_voxels,prediction_voxels,empty'];
  for (const entry of report.cases) {
    for (const label of report.labels) {
      const metrics = entry.labels[String(label)]!;
      rows.push([csvText(entry.caseId), label, ...METRIC_NAMES.map((name) => csvNumber(metrics[name])), metrics.referenceVoxels, metrics.predictionVoxels, metrics.empty].join(','));
    }
  }
  for (const label of report.labels) {
    const mean = report.meanPerLabel[String(label)]!;
    rows.push(['mean', label, ...METRIC_NAMES.map((name) => csvNumber(mean[name])), '', '', ''].join(','));
  }
  rows.push(['mean', 'all', ...METRIC_NAMES.map((name) => csvNumber(report.mean[name])), '', '', ''].join(','));
  return `${rows.join('\n')}\n`;
}

/** null -> NaN in the metric fields of a parsed metrics.json (JSON has no NaN). */
function restoreNaN<T extends object>(record: T): T {
  const copy = { ...record } as Record<string, unknown>;
  for (const name of METRIC_NAMES) if (copy[name] === null) copy[name] = NaN;
  return copy as T;
}

/** Checks a parsed metrics.json (current version) and restores its NaN values. */
export function parseMetricsReport(document: unknown): Validated<MetricsReport> {
  const errors: string[] = [];
  if (!isRecord(document)) return { ok: false, errors: ['metrics.json: expected a JSON object'] };
  if (document['schemaVersion'] !== METRICS_SCHEMA_VERSION) errors.push(`schemaVersion: expected ${METRICS_SCHEMA_VERSION}`);
  const labels = document['labels'];
  if (!Array.isArray(labels) || !labels.every((label) => Number.isInteger(label))) errors.push('labels: expected a list of integer label values');
  if (typeof document['toleranceMm'] !== 'number') errors.push('toleranceMm: expected a number');
  const cases = document['cases'];
  if (!Array.isArray(cases)) errors.push('cases: expected a list');
  else {
    cases.forEach((entry, index) => {
      if (!isRecord(entry) || typeof entry['caseId'] !== 'string' || !isRecord(entry['labels'])) errors.push(`cases[${index}]: expected { caseId, labels }`);
      else if (Array.isArray(labels) && labels.some((label) => !isRecord((entry['labels'] as Record<string, unknown>)[String(label)]))) errors.push(`cases[${index}].labels: expected an entry for every label`);
    });
  }
  if (!isRecord(document['meanPerLabel']) || !isRecord(document['mean'])) errors.push('meanPerLabel, mean: expected objects');
  if (errors.length > 0) return { ok: false, errors };
  const report = document as unknown as MetricsReport;
  return {
    ok: true,
    value: {
      ...report,
      cases: report.cases.map((entry) => ({ caseId: entry.caseId, labels: Object.fromEntries(Object.entries(entry.labels).map(([label, metrics]) => [label, restoreNaN(metrics)])) })),
      meanPerLabel: Object.fromEntries(Object.entries(report.meanPerLabel).map(([label, mean]) => [label, restoreNaN(mean)])),
      mean: restoreNaN(report.mean),
    },
  };
}
