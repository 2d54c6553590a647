import { createRandom } from '../../engine/runtime/random.ts';
import { classLocationsOf, type TrainingCase } from '../../engine/train/training-case.ts';

/**
 * A synthetic case [D, H, W]: image = a smooth ramp plus noise (channel c offset by 10 c), label =
 * two boxes of classes 1 and 2 (class 2 small and off-centre, as a hard-to-find structure).
 */
export function syntheticCase(id: string, dims: [number, number, number], channels = 1, seed = 1): TrainingCase {
  const [depth, height, width] = dims;
  const voxels = depth * height * width;
  const random = createRandom(seed);
  const image = new Float32Array(voxels * channels);
  const label = new Uint8Array(voxels);
  for (let d = 0, at = 0; d < depth; d += 1) {
    for (let h = 0; h < height; h += 1) {
      for (let w = 0; w < width; w += 1, at += 1) {
        for (let c = 0; c < channels; c += 1) image[c * voxels + at] = 10 * c + d / depth + h / height - w / width + 0.1 * random.normal();
        const inBig = d >= depth / 4 && d < depth / 2 && h >= height / 4 && h < (3 * height) / 4 && w >= width / 4 && w < width / 2;
        const inSmall = d >= depth - 4 && d < depth - 1 && h >= 1 && h < 4 && w >= width - 4 && w < width - 1;
        label[at] = inSmall ? 2 : inBig ? 1 : 0;
      }
    }
  }
  return { id, image, label, dims, channels, classLocations: classLocationsOf(label) };
}
