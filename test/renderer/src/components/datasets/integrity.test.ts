import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { IntegrityFinding } from '../../../../../engine/api/integrity.ts';
import { checkDataset, sampleDatasetDir } from '../../../../../engine/index.ts';
import { countsByCase, filterFindings } from '../../../../../renderer/src/components/datasets/integrity.ts';

const work = mkdtempSync(join(tmpdir(), 'voxnas-integrity-filter-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The real check of a copy of the sample with one label removed and one image duplicated: errors and warnings. */
async function brokenFindings(): Promise<IntegrityFinding[]> {
  const folder = join(work, 'sample');
  cpSync(sampleDatasetDir(), folder, { recursive: true });
  rmSync(join(folder, 'labelsTr', 'hippocampus_008.nii.gz'));
  cpSync(join(folder, 'imagesTr', 'hippocampus_004.nii.gz'), join(folder, 'imagesTr', 'hippocampus_011.nii.gz'));
  return (await checkDataset(folder)).report.findings;
}

describe('the integrity report filters', () => {
  it('filters by severity and by every typed word over case, file, message and hint; counts per case', async () => {
    const findings = await brokenFindings();
    const errors = findings.filter((finding) => finding.severity === 'error');
    const warnings = findings.filter((finding) => finding.severity === 'warning');
    expect(errors.length).toBeGreaterThan(0);
    expect(warnings.length).toBeGreaterThan(0);

    expect(filterFindings(findings, 'all', '')).toEqual(findings);
    expect(filterFindings(findings, 'error', '')).toEqual(errors);
    expect(filterFindings(findings, 'warning', '  ')).toEqual(warnings);
    expect(filterFindings(findings, 'all', 'HIPPOCAMPUS_008')).toEqual(findings.filter((finding) => finding.case === 'hippocampus_008' || finding.message.includes('hippocampus_008') || finding.file?.includes('hippocampus_008')));
    // Words match anywhere, in any order: the hint's words too.
    const hinted = findings[0]!;
    const words = hinted.hint.split(' ').slice(0, 2).reverse().join(' ');
    expect(filterFindings(findings, 'all', words)).toContainEqual(hinted);
    expect(filterFindings(findings, 'all', 'no-such-word-anywhere')).toEqual([]);

    const counts = countsByCase(findings);
    expect(counts.get('hippocampus_008')).toEqual({ errors: errors.filter((finding) => finding.case === 'hippocampus_008').length, warnings: warnings.filter((finding) => finding.case === 'hippocampus_008').length });
    expect([...counts.values()].reduce((sum, entry) => sum + entry.errors + entry.warnings, 0)).toBe(findings.filter((finding) => finding.case !== null).length);
  });
});
