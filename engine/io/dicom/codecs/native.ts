import type { VoxelArray } from '../../volume.ts';
import { interleave, type ImageAttributes, type SampleArray } from './types.ts';

/**
 * Uncompressed (native) pixel data: the Pixel Data value itself, all frames one after the other
 * (PS3.5 8.1). What this does, as pydicom does:
 * - big endian data is byte-swapped per sample;
 * - Bits Allocated 1 (segmentations, overlays-as-pixels) is unpacked to one 0/1 byte per pixel, bits
 *   read least significant first and continuing across frame boundaries;
 * - YBR_FULL_422 (two luminance samples share one Cb, Cr pair) is expanded to three samples per pixel;
 * - Planar Configuration 1 is reordered to interleaved samples.
 * Signedness and colour conversion are left to `pixel-data.ts`.
 */

export interface NativeLayout {
  image: ImageAttributes;
  frames: number;
  littleEndian: boolean;
  /** Float Pixel Data (32) or Double Float Pixel Data (64); undefined for integer Pixel Data. */
  float?: 32 | 64;
}

/** Bytes the Pixel Data value must hold for the header's image attributes. */
export function expectedNativeBytes({ image, frames }: NativeLayout): number {
  const { rows, columns, samplesPerPixel, bitsAllocated, photometric } = image;
  if (bitsAllocated === 1) return Math.ceil((frames * rows * columns * samplesPerPixel) / 8);
  const bytes = frames * rows * columns * samplesPerPixel * (bitsAllocated / 8);
  return photometric === 'YBR_FULL_422' && samplesPerPixel === 3 ? (bytes / 3) * 2 : bytes;
}

/** Decodes `bytes` (exactly `expectedNativeBytes` long) into interleaved samples of all frames. */
export function decodeNative(bytes: Uint8Array, layout: NativeLayout): { data: VoxelArray; photometric: string } {
  const { image, frames, littleEndian, float } = layout;
  const pixels = image.rows * image.columns;
  if (image.bitsAllocated === 1) return { data: unpackBits(bytes, frames * pixels * image.samplesPerPixel), photometric: image.photometric };

  const bytesPerSample = image.bitsAllocated / 8;
  const copy = bytes.slice();
  if (!littleEndian && bytesPerSample > 1) swapBytes(copy, bytesPerSample);
  let data: VoxelArray = view(copy, image.bitsAllocated, image.pixelRepresentation === 1, float);
  let photometric = image.photometric;

  if (photometric === 'YBR_FULL_422' && image.samplesPerPixel === 3) {
    data = expandYbr422(data as SampleArray);
    photometric = 'YBR_FULL';
  } else if (image.planarConfiguration === 1 && image.samplesPerPixel > 1) {
    const perFrame = pixels * image.samplesPerPixel;
    const interleaved = new (data.constructor as new (length: number) => VoxelArray)(data.length);
    for (let frame = 0; frame < frames; frame += 1) {
      interleaved.set(interleave(data.subarray(frame * perFrame, (frame + 1) * perFrame) as SampleArray, pixels, image.samplesPerPixel), frame * perFrame);
    }
    data = interleaved;
  }
  return { data, photometric };
}

function view(bytes: Uint8Array, bitsAllocated: number, signed: boolean, float: 32 | 64 | undefined): VoxelArray {
  const { buffer } = bytes;
  if (float === 32) return new Float32Array(buffer);
  if (float === 64) return new Float64Array(buffer);
  if (bitsAllocated === 8) return signed ? new Int8Array(buffer) : bytes;
  if (bitsAllocated === 16) return signed ? new Int16Array(buffer) : new Uint16Array(buffer);
  return signed ? new Int32Array(buffer) : new Uint32Array(buffer);
}

function swapBytes(bytes: Uint8Array, size: number): void {
  for (let start = 0; start + size <= bytes.length; start += size) {
    for (let low = start, high = start + size - 1; low < high; low += 1, high -= 1) {
      const byte = bytes[low]!;
      bytes[low] = bytes[high]!;
      bytes[high] = byte;
    }
  }
}

function unpackBits(bytes: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let index = 0; index < count; index += 1) out[index] = (bytes[index >> 3]! >> (index & 7)) & 1;
  return out;
}

/** Y1 Y2 Cb Cr -> Y1 Cb Cr Y2 Cb Cr (PS3.3 C.7.6.3.1.2), as pydicom does. */
function expandYbr422(packed: SampleArray): SampleArray {
  const out = new (packed.constructor as new (length: number) => SampleArray)((packed.length / 2) * 3);
  for (let group = 0; group < packed.length / 4; group += 1) {
    const from = group * 4;
    const to = group * 6;
    out[to] = packed[from]!;
    out[to + 3] = packed[from + 1]!;
    out[to + 1] = out[to + 4] = packed[from + 2]!;
    out[to + 2] = out[to + 5] = packed[from + 3]!;
  }
  return out;
}
