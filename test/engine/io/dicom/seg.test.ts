import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDicomWithWarnings } from '../../../../engine/io/dicom/read-dicom.ts';
import { parseDicomFile } from '../../../../engine/io/dicom/parse.ts';
import { readSegmentation } from '../../../../engine/io/dicom/seg.ts';
import type { Volume } from '../../../../engine/io/volume.ts';
import { encodeBinarySeg } from '../../../support/dicom-seg.ts';
import { readNrrd } from '../../../support/nrrd.ts';
import { requireSharedData } from '../../../support/shared-data.ts';

const samples = join(requireSharedData(), 'samples');
const dcmqi = join(samples, 'dcmqi', 'segmentations');
const round = (values: number[]) => values.map((value) => Math.round(value * 1e4) / 1e4 || 0);

/** Our label volume in the NRRD's terms: sizes, LPS origin, scaled axis vectors, voxel values. */
function asNrrd(volume: Volume) {
  return {
    sizes: volume.dims,
    origin: round(volume.origin),
    directions: volume.direction.map((axis, index) => round(axis.map((value) => value * volume.spacing[index]!))),
    values: Array.from(volume.data),
  };
}

function expectedNrrd(path: string) {
  const nrrd = readNrrd(path);
  return { ...nrrd, origin: round(nrrd.origin), directions: nrrd.directions.map(round) };
}

describe('DICOM-SEG to a label volume on the referenced series', () => {
  it('dcmqi liver (BINARY, 1-bit) matches dcmqi reference label map voxel for voxel', async () => {
    const { volume, warnings } = await readDicomWithWarnings(join(dcmqi, 'liver.dcm'), { referenceSeries: join(dcmqi, 'ct-3slice') });
    expect(asNrrd(volume)).toEqual(expectedNrrd(join(dcmqi, 'liver_seg.nrrd')));
    expect(warnings).toEqual([]);
  });

  it('dcmqi sparse label maps (Label Map SOP class, 2 of 3 slices) land on the right slices', async () => {
    for (const name of ['sparse-labelmap-noppv', 'sparse-labelmap-ppv5']) {
      const { volume, warnings } = await readDicomWithWarnings(join(dcmqi, `${name}.dcm`), { referenceSeries: join(dcmqi, '24x38x3', 'image') });
      const expected = expectedNrrd(join(dcmqi, `${name.replace(/-/g, '_')}_seg.nrrd`));
      // dcmqi fills the slice without a frame with the Pixel Padding Value (5 in ppv5); VoxNAS labels it 0 and warns.
      expect(asNrrd(volume)).toEqual({ ...expected, values: expected.values.map((value) => (value === 5 ? 0 : value)) });
      expect(warnings).toEqual([expect.stringContaining("has frames on 2 of the series' 3 slices")]);
    }
  });

  it('highdicom: binary, binary-as-fractional and fractional masks agree, with segment names', async () => {
    const read = async (name: string) => {
      const parsed = await parseDicomFile(join(samples, 'highdicom', name));
      return readSegmentation(parsed, name);
    };
    const binary = await read('seg_image_ct_binary.dcm');
    const asFractional = await read('seg_image_ct_binary_fractional.dcm');
    const fractional = await read('seg_image_ct_true_fractional.dcm');
    expect(binary.segments.length).toBeGreaterThan(0);
    expect(Array.from(asFractional.volume.data)).toEqual(Array.from(binary.volume.data));
    // The true fractional file stores 128 of 255 (>= 0.5): the same voxels are foreground.
    expect(Array.from(fractional.volume.data)).toEqual(Array.from(binary.volume.data));
    expect(Array.from(binary.volume.data).filter((value) => value > 0).length).toBeGreaterThan(0);
  });

  it('refuses a segmentation whose frames are not on the given series', async () => {
    await expect(readDicomWithWarnings(join(dcmqi, 'liver.dcm'), { referenceSeries: join(dcmqi, '24x38x3', 'image') })).rejects.toThrow(
      /liver\.dcm: has 512x512 frames but the reference series is 24x38\. Give the series the segmentation was drawn on\./,
    );
  });
});

describe('DICOM-SEG edge cases (synthetic files)', () => {
  const folder = mkdtempSync(join(tmpdir(), 'voxnas-seg-'));

  it('reports overlapping segments, keeps the higher number, and unpacks bits across frame boundaries', async () => {
    // 3x3 frames (9 bits: frames are not byte-aligned), two slices, two segments overlapping in 2 voxels.
    const path = join(folder, 'overlap.dcm');
    writeFileSync(
      path,
      encodeBinarySeg(3, 3, ['liver', 'tumour'], [
        { segment: 1, position: [0, 0, 0], mask: [1, 1, 0, 0, 1, 0, 0, 0, 0] },
        { segment: 1, position: [0, 0, 1], mask: [0, 0, 0, 0, 1, 1, 0, 0, 1] },
        { segment: 2, position: [0, 0, 0], mask: [0, 1, 1, 0, 0, 0, 0, 0, 0] },
        { segment: 2, position: [0, 0, 1], mask: [0, 0, 0, 0, 0, 1, 0, 0, 0] },
      ]),
    );
    const result = await readSegmentation(await parseDicomFile(path), path);
    expect({ dims: result.volume.dims, data: Array.from(result.volume.data), segments: result.segments, overlaps: result.overlaps }).toEqual({
      dims: [3, 3, 2],
      data: [1, 2, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 1],
      segments: [
        { number: 1, label: 'liver' },
        { number: 2, label: 'tumour' },
      ],
      overlaps: { '1+2': 2 },
    });
    expect(result.warnings).toEqual([expect.stringContaining('no reference series given'), expect.stringContaining('segments overlap (1+2: 2 voxels)')]);
  });

  it('stacks frames without positions per segment, and refuses to place them on a reference', async () => {
    const path = join(folder, 'unplaced.dcm');
    writeFileSync(path, encodeBinarySeg(2, 2, ['a'], [{ segment: 1, position: null, mask: [1, 0, 0, 1] }]));
    const parsed = await parseDicomFile(path);
    const result = await readSegmentation(parsed, path);
    expect([result.volume.dims, Array.from(result.volume.data)]).toEqual([[2, 2, 1], [1, 0, 0, 1]]);
    await expect(readSegmentation(parsed, path, result.volume)).rejects.toThrow(/gives its frames no ImagePositionPatient/);
  });
});
