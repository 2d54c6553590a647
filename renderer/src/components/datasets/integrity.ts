/**
 * The integrity report as the Datasets screen shows it: findings filtered by severity and by text
 * (case, file, message or hint), and each case's error and warning counts for the case grid.
 */
import type { IntegrityFinding } from '../../../../engine/api/integrity.ts';

export type SeverityFilter = 'all' | 'error' | 'warning';

/** Findings of the chosen severity whose case, file, message or hint contains every word typed (case-insensitive). */
export function filterFindings(findings: readonly IntegrityFinding[], severity: SeverityFilter, text: string): IntegrityFinding[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  return findings.filter((finding) => {
    if (severity !== 'all' && finding.severity !== severity) return false;
    const haystack = [finding.case ?? 'whole dataset', finding.file ?? '', finding.message, finding.hint, finding.code].join(' ').toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}

export interface CaseCounts {
  errors: number;
  warnings: number;
}

/** Errors and warnings per case id (dataset-level findings are not any case's). */
export function countsByCase(findings: readonly IntegrityFinding[]): Map<string, CaseCounts> {
  const counts = new Map<string, CaseCounts>();
  for (const finding of findings) {
    if (finding.case === null) continue;
    const entry = counts.get(finding.case) ?? { errors: 0, warnings: 0 };
    if (finding.severity === 'error') entry.errors += 1;
    else entry.warnings += 1;
    counts.set(finding.case, entry);
  }
  return counts;
}
