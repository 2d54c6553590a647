import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeDicomImage } from '../io/dicom/write-dicom-image.ts';
import { readVolume } from '../io/read-volume.ts';
import { seconds, type Benchmark } from './benchmark.ts';

const SIZE = 512;
const SLICES = 300;

/** A CT-like slice: air outside a body ellipse, soft tissue inside, a bright "bone" ring; varies with z. */
function phantomSlice(slice: number): Int16Array {
  const pixels = new Int16Array(SIZE * SIZE);
  const radius = 200 + 30 * Math.sin(slice / 40);
  for (let row = 0; row < SIZE; row += 1) {
    for (let column = 0; column < SIZE; column += 1) {
      const r = Math.hypot((column - 256) / 1.2, row - 256);
      // Stored values: HU + 1024 (RescaleIntercept -1024), as scanners write them.
      pixels[row * SIZE + column] = r > radius ? 24 : r > radius - 12 ? 2200 : 1064 + ((row * 7 + column * 3 + slice) % 40);
    }
  }
  return pixels;
}

/**
 * Reading a 512x512x300 int16 CT series (issue target: under 5 s). The series is synthetic (no such
 * uncompressed series is in the shared data), written once to a temporary folder in shuffled file
 * order; the files are then in the page cache, so this measures parsing and assembly, not the disk.
 */
export const dicomSeriesRead: Benchmark = {
  description: 'voxnas read of a synthetic 512x512x300 int16 CT series (Explicit VR LE), target < 5 s',
  async run() {
    const folder = await mkdtemp(join(tmpdir(), 'voxnas-bench-series-'));
    try {
      const order = Array.from({ length: SLICES }, (_unused, index) => (index * 7919) % SLICES);
      for (const [fileIndex, slice] of order.entries()) {
        const bytes = encodeDicomImage({
          rows: SIZE,
          columns: SIZE,
          pixels: phantomSlice(slice),
          position: [-250, -250, -600 + 1.25 * slice],
          orientation: [
            [1, 0, 0],
            [0, 1, 0],
          ],
          pixelSpacing: [0.9765625, 0.9765625],
          sliceThickness: 1.25,
          rescaleIntercept: -1024,
          seriesInstanceUid: '1.2.826.0.1.3680043.8.498.1',
          sopInstanceUid: `1.2.826.0.1.3680043.8.498.1.${slice + 1}`,
          instanceNumber: slice + 1,
        });
        await writeFile(join(folder, `IM${String(fileIndex).padStart(5, '0')}`), bytes);
      }
      const started = performance.now();
      const { volume } = await readVolume(folder);
      const elapsed = seconds(started);
      return {
        seconds: elapsed,
        targetSeconds: 5,
        dims: volume.dims.join('x'),
        megabytesPerSecond: Math.round((SIZE * SIZE * SLICES * 2) / 1e6 / elapsed),
        rssMegabytes: Math.round(process.memoryUsage().rss / 2 ** 20),
      };
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  },
};
