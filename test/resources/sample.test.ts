import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const SAMPLE = 'resources/sample';
const NIFTI_DATATYPES: Record<number, string> = { 2: 'uint8', 16: 'float32' };

interface CaseRow {
  case: string;
  shape_xyz: string;
  image_dtype: string;
  label_dtype: string;
  image_md5: string;
  label_md5: string;
}

function readCases(): CaseRow[] {
  const [header, ...lines] = readFileSync(join(SAMPLE, 'cases.tsv'), 'utf8').trim().split('\n');
  const columns = header!.split('\t');
  return lines.map((line) => Object.fromEntries(line.split('\t').map((value, index) => [columns[index], value])) as unknown as CaseRow);
}

/** Shape and dtype from a NIfTI-1 header (little-endian, as these files are). */
function niftiHeader(bytes: Buffer): { sizeofHdr: number; shape: string; dtype: string | undefined } {
  const data = gunzipSync(bytes);
  const dims = [1, 2, 3].map((axis) => data.readInt16LE(40 + 2 * axis));
  return { sizeofHdr: data.readInt32LE(0), shape: dims.join('x'), dtype: NIFTI_DATATYPES[data.readInt16LE(70)] };
}

describe('resources/sample: the embedded default dataset', () => {
  const cases = readCases();
  const dataset = JSON.parse(readFileSync(join(SAMPLE, 'dataset.json'), 'utf8'));

  it('is 10 MSD Hippocampus cases in MSD layout, listed exactly by dataset.json', () => {
    const names = cases.map((row) => row.case);
    expect(names).toHaveLength(10);
    expect(dataset).toMatchObject({ name: 'Hippocampus', licence: 'CC-BY-SA 4.0', numTraining: 10, labels: { 0: 'background', 1: 'Anterior', 2: 'Posterior' } });
    expect(dataset.training).toEqual(names.map((name) => ({ image: `./imagesTr/${name}.nii.gz`, label: `./labelsTr/${name}.nii.gz` })));
    expect(readdirSync(join(SAMPLE, 'imagesTr')).sort()).toEqual(names.map((name) => `${name}.nii.gz`));
    expect(readdirSync(join(SAMPLE, 'labelsTr')).sort()).toEqual(names.map((name) => `${name}.nii.gz`));
  });

  it('holds the original files unchanged: MD5, shape and dtype as recorded', () => {
    const seen = cases.map((row) => {
      const image = readFileSync(join(SAMPLE, 'imagesTr', `${row.case}.nii.gz`));
      const label = readFileSync(join(SAMPLE, 'labelsTr', `${row.case}.nii.gz`));
      return {
        case: row.case,
        md5: [createHash('md5').update(image).digest('hex'), createHash('md5').update(label).digest('hex')],
        image: niftiHeader(image),
        label: niftiHeader(label),
      };
    });
    expect(seen).toEqual(
      cases.map((row) => ({
        case: row.case,
        md5: [row.image_md5, row.label_md5],
        image: { sizeofHdr: 348, shape: row.shape_xyz, dtype: row.image_dtype },
        label: { sizeofHdr: 348, shape: row.shape_xyz, dtype: row.label_dtype },
      })),
    );
    expect(new Set(cases.map((row) => row.image_dtype))).toEqual(new Set(['uint8', 'float32']));
  });

  it('credits the source and states the CC-BY-SA 4.0 license', () => {
    const license = readFileSync(join(SAMPLE, 'LICENSE.md'), 'utf8');
    for (const phrase of ['CC BY-SA 4.0', 'Simpson', 'arXiv:1902.09063', 'Medical Segmentation Decathlon', 'Vanderbilt']) {
      expect(license).toContain(phrase);
    }
  });
});
