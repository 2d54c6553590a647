import { describe, expect, it } from 'vitest';
import { migrateDatasetJson, type DatasetJson } from '../../../engine/api/dataset.ts';
import { migrateFingerprintJson } from '../../../engine/api/fingerprint.ts';
import { FINDING_CODES } from '../../../engine/api/integrity.ts';

const dataset: DatasetJson = {
  schemaVersion: 1,
  name: 'Tiny',
  description: '',
  channels: ['T2', 'ADC'],
  labels: { 0: 'background', 1: 'lesion' },
  source: { folder: '/data/tiny', layout: 'nnunet-v2' },
  importedAt: '2025-01-01T00:00:00.000Z',
  cases: [
    { id: 'a', split: 'training', images: ['imagesTr/a_0000.nii.gz', 'imagesTr/a_0001.nii.gz'], label: 'labelsTr/a.nii.gz' },
    { id: 'b', split: 'test', images: ['imagesTs/b_0000.nii.gz', 'imagesTs/b_0001.nii.gz'], label: null },
  ],
};

describe('dataset.json vocabulary', () => {
  it('accepts a current document as it is', () => {
    expect(migrateDatasetJson(JSON.parse(JSON.stringify(dataset)))).toEqual({ ok: true, value: dataset });
  });

  it('returns every problem as a value, naming the field', () => {
    const broken = {
      ...dataset,
      channels: [],
      labels: { 1: 'lesion', '-2': 'bad' },
      source: { folder: '/x', layout: 'zip' },
      cases: [{ id: 'a', split: 'training', images: [], label: null }, dataset.cases[0], { id: 'c', split: 'validation', images: ['x'], label: 3 }],
    };
    expect(migrateDatasetJson(broken)).toEqual({
      ok: false,
      errors: [
        'channels: expected a non-empty list of channel names',
        'labels.-2: label values must be non-negative integers',
        'labels: the background label 0 is missing',
        "source: expected { folder: string, layout: 'msd' | 'nnunet-v2' | 'folder-pair' }",
        'cases[0].images: expected a non-empty list of file paths',
        'cases[0].label: a training case needs a label file',
        "cases[2].split: expected 'training' or 'test'",
        'cases[2].label: expected a file path or null',
        'cases: duplicate case ids a',
      ],
    });
  });

  it('refuses documents from a newer VoxNAS and documents without a version', () => {
    expect([migrateDatasetJson({ ...dataset, schemaVersion: 2 }), migrateDatasetJson({ name: 'x' }), migrateFingerprintJson([])]).toEqual([
      { ok: false, errors: ['dataset.json: schemaVersion 2 was written by a newer VoxNAS (this one reads up to 1); update VoxNAS'] },
      { ok: false, errors: ['dataset.json: schemaVersion must be a positive integer, got undefined'] },
      { ok: false, errors: ['fingerprint.json: expected a JSON object'] },
    ]);
  });

  it('every finding code has a severity and a hint that says what to do', () => {
    for (const [code, { severity, hint }] of Object.entries(FINDING_CODES)) {
      expect({ code, severity: ['error', 'warning'].includes(severity), hint: hint.length > 20 && hint.endsWith('.') }).toEqual({ code, severity: true, hint: true });
    }
  });
});
