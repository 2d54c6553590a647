/**
 * The contract between `pixel-data.ts` and the frame codecs of encapsulated pixel data.
 *
 * A codec gets one frame's compressed bytes (fragments already joined) and the image attributes from
 * the header, and returns the frame's samples: rows * columns * samplesPerPixel values, column fastest,
 * samples interleaved per pixel (R, G, B, R, ...), whatever the codec's own layout was. Values are the
 * codec's output, not yet sign-extended: `pixel-data.ts` does that once for all codecs.
 *
 * A codec throws `CodecError` for a stream it cannot decode; `pixel-data.ts` turns that into an
 * `InputError` that names the file, the frame and the transfer syntax.
 */

/** What the header says about the image (PS3.3 C.7.6.3), the same for every frame. */
export interface ImageAttributes {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: number;
  photometric: string;
  /** 0 interleaved (R1 G1 B1 R2 ...), 1 planar (all R, then all G, then all B). */
  planarConfiguration: number;
}

export type SampleArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

export interface DecodedFrame {
  /** rows * columns * samplesPerPixel values, interleaved per pixel. */
  samples: SampleArray;
  /** Set when the codec changed the colour space (JPEG YCbCr -> RGB): the photometric of `samples`. */
  photometric?: string;
  /**
   * Set by codecs whose stream says how many bits a sample has and whether it is signed (JPEG 2000).
   * When the stream is unsigned but the header says signed, values are sign-extended from `precision`
   * bits, as pydicom does for JPEG 2000.
   */
  stream?: { precision: number; signed: boolean };
}

export interface FrameCodec {
  /** Short name for messages, e.g. "OpenJPEG (JPEG 2000)". */
  readonly name: string;
  decode(frame: Uint8Array, image: ImageAttributes): Promise<DecodedFrame>;
}

/** A stream the codec could not decode: the message says why, in the codec's words. */
export class CodecError extends Error {
  override readonly name = 'CodecError';
}

/** Typed array of `length` samples for the header's bits allocated and pixel representation. */
export function sampleArray(bitsAllocated: number, signed: boolean, length: number): SampleArray {
  if (bitsAllocated <= 8) return signed ? new Int8Array(length) : new Uint8Array(length);
  if (bitsAllocated <= 16) return signed ? new Int16Array(length) : new Uint16Array(length);
  return signed ? new Int32Array(length) : new Uint32Array(length);
}

/**
 * A view of little-endian sample bytes as a typed array (copied, so it is aligned and owns its memory).
 * `bytesPerSample` is 1, 2 or 4.
 */
export function samplesFromBytes(bytes: Uint8Array, bytesPerSample: number, signed: boolean): SampleArray {
  const copy = new Uint8Array(bytes.length - (bytes.length % bytesPerSample));
  copy.set(bytes.subarray(0, copy.length));
  if (bytesPerSample === 1) return signed ? new Int8Array(copy.buffer) : copy;
  if (bytesPerSample === 2) return signed ? new Int16Array(copy.buffer) : new Uint16Array(copy.buffer);
  return signed ? new Int32Array(copy.buffer) : new Uint32Array(copy.buffer);
}

/** Planar (all of sample 0, then all of sample 1, ...) to interleaved, for `pixels` pixels. */
export function interleave<T extends SampleArray>(planar: T, pixels: number, samplesPerPixel: number): T {
  if (samplesPerPixel === 1) return planar;
  const out = new (planar.constructor as new (length: number) => T)(pixels * samplesPerPixel);
  for (let sample = 0; sample < samplesPerPixel; sample += 1) {
    const plane = sample * pixels;
    for (let pixel = 0; pixel < pixels; pixel += 1) out[pixel * samplesPerPixel + sample] = planar[plane + pixel]!;
  }
  return out;
}
