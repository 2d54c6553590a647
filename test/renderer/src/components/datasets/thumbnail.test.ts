import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readVolume, sampleDatasetDir } from '../../../../../engine/index.ts';
import { toPayload } from '../../../../../main/services/volumes.ts';
import { createLimiter, middleAxialSlice, sliceWindow, thumbnailWindow, windowToRgba } from '../../../../../renderer/src/components/datasets/thumbnail.ts';
import { payloadVoxels as voxelsOf } from '../../../../../renderer/src/components/viewer/volume-geometry.ts';

describe('case thumbnails', () => {
  it('takes the middle axial slice of a real case as the services send it', async () => {
    const { volume } = await readVolume(join(sampleDatasetDir(), 'imagesTr', 'hippocampus_004.nii.gz'));
    const payload = toPayload(volume, 'hippocampus_004', 'image');
    const slice = middleAxialSlice(payload);
    const [width, height, depth] = volume.dims;
    const k = Math.floor(depth / 2);
    expect({ width: slice.width, height: slice.height }).toEqual({ width, height });
    // Voxel (i, j, k) of the engine's volume is pixel (i, j) of the slice.
    for (const [i, j] of [[0, 0], [width - 1, 0], [3, height - 1], [Math.floor(width / 2), Math.floor(height / 2)]] as const) {
      expect(slice.values[i + width * j]).toBeCloseTo(volume.data[i + width * (j + height * k)]!, 3);
    }
    expect(voxelsOf(payload).length).toBe(width * height * depth);
  });

  it('windows values to grey pixels, clamped at both ends', () => {
    const pixels = windowToRgba(Float32Array.from([-5, 0, 50, 100, 200]), 0, 100);
    expect([...pixels]).toEqual([0, 0, 0, 255, 0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255, 255, 255, 255, 255]);
  });

  it('narrows the dataset window to the slice, and falls back to the slice when they do not overlap', () => {
    const values = Float32Array.from({ length: 1000 }, (_, index) => index);
    expect(sliceWindow(values)).toEqual([5, 994]);
    expect([thumbnailWindow([33, 234_418], [5, 994]), thumbnailWindow([-100, 300], [-1000, 1500]), thumbnailWindow([2000, 3000], [0, 1000]), thumbnailWindow(null, [0, 1])]).toEqual([
      [33, 994],
      [-100, 300],
      [0, 1000],
      [0, 1],
    ]);
  });

  it('runs at most the limit of tasks at once, in order', async () => {
    const limit = createLimiter(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const task = (index: number) => async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5 + (index % 2) * 5));
      order.push(index);
      running -= 1;
      return index * 10;
    };
    const results = await Promise.all([0, 1, 2, 3, 4].map((index) => limit(task(index))));
    expect({ results, most, started: order.length }).toEqual({ results: [0, 10, 20, 30, 40], most: 2, started: 5 });
    await expect(limit(async () => Promise.reject(new Error('no volume')))).rejects.toThrow('no volume');
    expect(await limit(async () => 'still runs')).toBe('still runs');
  });
});
