import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readVolume } from '../../../../../engine/io/read-volume.ts';
import { toPayload } from '../../../../../main/services/volumes.ts';
import { defaultColors, defaultLabelColor, hexToRgb, rgbaOf } from '../../../../../renderer/src/components/viewer/label-colors.ts';
import { imageScalars, labelScalars, labelValuesPresent, payloadVoxels, percentileRange, sameGrid, volumeGrid, windowPresets } from '../../../../../renderer/src/components/viewer/volume-geometry.ts';

/** A case of resources/sample as the services send it (volumes.get's payload, built by the same function). */
async function samplePayload(kind: 'image' | 'label', caseId = 'hippocampus_004') {
  const folder = kind === 'image' ? 'imagesTr' : 'labelsTr';
  const { volume } = await readVolume(join('resources/sample', folder, `${caseId}.nii.gz`));
  return { volume, payload: toPayload(volume, caseId, kind) };
}

describe('volume geometry for the viewer', () => {
  it("passes a real case's grid through unchanged (i fastest, LPS direction of the i, j, k axes) and its voxels as typed arrays", async () => {
    const [{ volume, payload }, label] = await Promise.all([samplePayload('image'), samplePayload('label')]);
    const grid = volumeGrid(payload);
    const scalars = imageScalars(payload);
    const labels = labelScalars(label.payload, grid);
    expect({
      grid,
      scalars: [scalars.constructor.name, scalars.length, Array.from(scalars.subarray(0, 5))],
      labels: [labels.constructor.name, labels.length, labelValuesPresent(labels)],
    }).toEqual({
      grid: { dimensions: volume.dims, spacing: volume.spacing, origin: volume.origin, direction: volume.direction.flat() },
      scalars: ['Float32Array', volume.dims[0] * volume.dims[1] * volume.dims[2], Array.from(volume.data.subarray(0, 5), Number)],
      labels: ['Uint8Array', scalars.length, [1, 2]],
    });
  });

  it('refuses a label map on another grid, values that are not labels, and a payload without geometry', async () => {
    const { payload } = await samplePayload('image');
    const grid = volumeGrid(payload);
    const other = await samplePayload('label', 'hippocampus_008');
    expect(() => labelScalars(other.payload, grid)).toThrow(/label of case hippocampus_008 is not on its image's voxel grid .*cannot be overlaid/);
    const shifted = { ...payload, kind: 'prediction' as const, origin: [payload.origin[0] + 1, payload.origin[1], payload.origin[2]] as [number, number, number] };
    expect(() => labelScalars({ ...shifted, dtype: 'uint8', data: new ArrayBuffer(payload.data.byteLength / 4) }, grid)).toThrow(/prediction of case hippocampus_004 is not on its image's voxel grid/);
    const probabilities = { ...payload, kind: 'prediction' as const, dtype: 'float32' as const, data: Float32Array.from({ length: grid.dimensions[0] * grid.dimensions[1] * grid.dimensions[2] }, () => 0.5).buffer };
    expect(() => labelScalars(probabilities, grid)).toThrow(/holds the value 0\.5: not a label/);
    expect(() => volumeGrid({ ...payload, spacing: [1, 0, 1] })).toThrow(/image of case hippocampus_004 has no usable geometry/);
    expect(sameGrid(grid, { ...grid, spacing: [grid.spacing[0] + 5e-4, grid.spacing[1], grid.spacing[2]] })).toBe(true);
  });

  it('reads every dtype of the contract and converts int16 labels', () => {
    const int16 = payloadVoxels({ dtype: 'int16', data: Int16Array.from([0, -3, 7]).buffer });
    expect([int16.constructor.name, Array.from(int16)]).toEqual(['Int16Array', [0, -3, 7]]);
    const grid = { dimensions: [3, 1, 1], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] } as const;
    const label = { caseId: 'c', kind: 'label' as const, dims: [3, 1, 1] as [number, number, number], spacing: [1, 1, 1] as [number, number, number], origin: [0, 0, 0] as [number, number, number], direction: [...grid.direction], dtype: 'int16' as const, data: Int16Array.from([0, 2, 1]).buffer };
    expect(Array.from(labelScalars(label, volumeGrid(label)))).toEqual([0, 2, 1]);
  });

  it('sets window presets from the intensities (percentiles, exact extremes), CT windows for CT only', () => {
    const ramp = Float32Array.from({ length: 1001 }, (_unused, index) => index);
    expect(percentileRange(ramp, 0.05, 0.95)).toEqual([50, 950]);
    expect(percentileRange(Float32Array.from([NaN, 3, 3]), 0, 1)).toEqual([3, 4]);
    // A volume larger than the sample keeps its exact minimum and maximum.
    const large = Float32Array.from({ length: 600_001 }, (_unused, index) => (index === 599_999 ? 5000 : index % 100));
    expect(percentileRange(large, 0, 1)).toEqual([0, 5000]);
    expect(windowPresets(ramp, 'MRI').map((preset) => [preset.id, preset.range])).toEqual([
      ['auto', [5, 995]],
      ['contrast', [50, 950]],
      ['full', [0, 1000]],
    ]);
    expect(windowPresets(ramp, 'CT').map((preset) => preset.id)).toEqual(['auto', 'contrast', 'full', 'ct-brain', 'ct-soft-tissue', 'ct-lung', 'ct-bone']);
    expect(windowPresets(ramp, 'CT').find((preset) => preset.id === 'ct-lung')!.range).toEqual([-1350, 150]);
  });
});

describe('label colours', () => {
  it('gives each label of each layer a colour that is never grey, as RGBA for Cornerstone', () => {
    const colors = defaultColors([1, 2, 6]);
    const all = [...Object.values(colors.truth), ...Object.values(colors.prediction)];
    expect({
      truth: colors.truth,
      repeats: defaultLabelColor('prediction', 6) === defaultLabelColor('prediction', 1),
      distinct: new Set(all.slice(0, 2).concat(all.slice(3, 5))).size,
      notGrey: all.every((hex) => {
        const [red, green, blue] = hexToRgb(hex)!;
        return Math.max(red, green, blue) - Math.min(red, green, blue) > 40;
      }),
      rgba: rgbaOf('#e69f00', 200),
      bad: hexToRgb('orange'),
    }).toEqual({
      truth: { 1: '#56b4e9', 2: '#009e73', 6: '#56b4e9' },
      repeats: true,
      distinct: 4,
      notGrey: true,
      rgba: [230, 159, 0, 200],
      bad: null,
    });
  });
});
