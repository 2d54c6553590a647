import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDicomWithWarnings } from '../../../../engine/io/dicom/read-dicom.ts';
import { encodeDicomImage, type DicomImageSpec } from '../../../../engine/io/dicom/write-dicom-image.ts';
import { affineRas, type Vec3 } from '../../../../engine/io/volume.ts';
import { requireSharedData } from '../../../support/shared-data.ts';

const root = mkdtempSync(join(tmpdir(), 'voxnas-series-'));
const round = (matrix: number[][]) => matrix.map((row) => row.map((value) => Math.round(value * 1e6) / 1e6 || 0));

/** Writes a synthetic series; slice s holds value 100*s + pixel index, stored as int16. */
function writeSeries(name: string, positions: Vec3[], options: Partial<DicomImageSpec> = {}, fileOrder?: number[]): string {
  const folder = join(root, name);
  mkdirSync(folder, { recursive: true });
  const order = fileOrder ?? positions.map((_p, index) => index);
  for (const slice of order) {
    const spec: DicomImageSpec = {
      rows: 2,
      columns: 3,
      pixels: Int16Array.from({ length: 6 }, (_v, pixel) => 100 * slice + pixel),
      position: positions[slice]!,
      orientation: [
        [1, 0, 0],
        [0, 1, 0],
      ],
      pixelSpacing: [0.5, 0.8],
      sliceThickness: 9,
      seriesInstanceUid: `1.2.826.0.1.3680043.8.498.${name.length}`,
      sopInstanceUid: `1.2.826.0.1.3680043.8.498.${name.length}.${slice}`,
      instanceNumber: slice + 1,
      ...options,
    };
    writeFileSync(join(folder, `file-${String(order.indexOf(slice)).padStart(3, '0')}.dcm`), encodeDicomImage(spec));
  }
  return folder;
}

describe('DICOM series assembly', () => {
  it('sorts slices along the normal (not by file name), takes spacing from positions, applies rescale', async () => {
    const positions: Vec3[] = [0, 1, 2, 3].map((slice) => [-10, 20, 5 + 2.5 * slice]);
    const folder = writeSeries('sorted', positions, { rescaleSlope: 2, rescaleIntercept: -1000 }, [2, 0, 3, 1]);
    const { volume, warnings } = await readDicomWithWarnings(folder);
    expect({ dims: volume.dims, spacing: volume.spacing, affine: round(affineRas(volume)), warnings }).toEqual({
      dims: [3, 2, 4],
      spacing: [0.8, 0.5, 2.5],
      // LPS -> RAS: x and y negated; slice thickness (9) is ignored in favour of the 2.5 mm position step.
      affine: [
        [-0.8, 0, 0, 10],
        [0, -0.5, 0, -20],
        [0, 0, 2.5, 5],
        [0, 0, 0, 1],
      ],
      warnings: [],
    });
    expect(Array.from(volume.data.subarray(0, 8))).toEqual([-1000, -998, -996, -994, -992, -990, -800, -798]);
    expect(volume.data).toBeInstanceOf(Int16Array);
  });

  it('handles oblique slices and reports uneven spacing', async () => {
    const normal: Vec3 = [0, -Math.SQRT1_2, Math.SQRT1_2];
    const offsets = [0, 3, 6, 10];
    const positions = offsets.map((offset) => normal.map((component) => component * offset) as Vec3);
    const folder = writeSeries('oblique', positions, {
      orientation: [
        [1, 0, 0],
        [0, Math.SQRT1_2, Math.SQRT1_2],
      ],
    });
    const { volume, warnings } = await readDicomWithWarnings(folder);
    expect(volume.dims).toEqual([3, 2, 4]);
    expect(volume.spacing[2]).toBeCloseTo(10 / 3, 6);
    expect(volume.direction[2].map((value) => Math.round(value * 1e6) / 1e6)).toEqual([0, -0.707107, 0.707107]);
    expect(warnings).toEqual([expect.stringContaining('slices are unevenly spaced (gaps from 3.000 to 4.000 mm)')]);
  });

  it('refuses mixed series and duplicate positions with what to do', async () => {
    const twoSeries = writeSeries('mixed', [
      [0, 0, 0],
      [0, 0, 1],
    ]);
    writeSeries('mixed/other', [[0, 0, 5]], { seriesInstanceUid: '1.2.3.4', sopInstanceUid: '1.2.3.4.5' });
    const duplicate = writeSeries('duplicates', [
      [0, 0, 0],
      [0, 0, 0],
    ]);
    const errors = await Promise.all([twoSeries, duplicate].map((folder) => readDicomWithWarnings(folder).then(() => 'read', (error: Error) => error.message.replace(root, '<root>'))));
    expect(errors).toEqual([
      expect.stringMatching(/^<root>\/mixed: holds 2 series: .*Pick one with --series <SeriesInstanceUID>, or put each series in its own folder\.$/),
      expect.stringMatching(/^<root>\/duplicates: has two images at the same slice position .*keep one image per position, or split the series\.$/),
    ]);
    const chosen = await readDicomWithWarnings(twoSeries, { seriesInstanceUid: '1.2.3.4' });
    expect(chosen.volume.dims).toEqual([3, 2, 1]);
  });
});

describe('DICOMDIR', () => {
  it('lists the series it references, and reads the chosen one like its folder (uneven gaps reported)', async () => {
    const tree = join(requireSharedData(), 'samples', 'pydicom-debian', 'dicomdirtests');
    await expect(readDicomWithWarnings(join(tree, 'DICOMDIR'))).rejects.toThrow(/DICOMDIR: holds 13 series: .*"Routine Brain".*Pick one with --series/);
    const folder = await readDicomWithWarnings(join(tree, '77654033', 'CT2'));
    const uid = '1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.2';
    const viaDicomdir = await readDicomWithWarnings(join(tree, 'DICOMDIR'), { seriesInstanceUid: uid });
    expect({ ...viaDicomdir.volume, data: Array.from(viaDicomdir.volume.data) }).toEqual({ ...folder.volume, data: Array.from(folder.volume.data) });
    expect(viaDicomdir.warnings).toEqual([expect.stringContaining('slices are unevenly spaced (gaps from 1.250 to 202.500 mm)')]);
  });
});
