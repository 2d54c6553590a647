import { checkGeometry } from './emscripten-frame.ts';
import { CodecError, type DecodedFrame, type ImageAttributes } from './types.ts';

/**
 * JPEG Lossless, process 14 (SOF3; transfer syntaxes .57 and .70, any predictor), by
 * @cornerstonejs/jpeg-lossless-decoder-js (pure JavaScript; what Cornerstone's image loader uses).
 * Output: unsigned samples of the stream's precision, interleaved for colour.
 */

interface LosslessDecoder {
  decode(buffer: ArrayBuffer, offset: number, length: number, bytesPerSample: number): Uint8Array | Uint16Array;
  frame: { dimX: number; dimY: number; numComp: number; precision: number };
}

type DecoderConstructor = new () => LosslessDecoder;

let decoderClass: Promise<DecoderConstructor> | undefined;

function loadDecoder(): Promise<DecoderConstructor> {
  decoderClass ??= (async () => {
    const module = (await import('@cornerstonejs/jpeg-lossless-decoder-js')) as unknown as { Decoder: DecoderConstructor };
    return module.Decoder;
  })();
  return decoderClass;
}

export async function decodeJpegLossless(frame: Uint8Array, image: ImageAttributes): Promise<DecodedFrame> {
  const Decoder = await loadDecoder();
  const decoder = new Decoder();
  const bytesPerSample = image.bitsAllocated <= 8 ? 1 : 2;
  const copy = frame.slice();
  let decoded: Uint8Array | Uint16Array;
  try {
    decoded = decoder.decode(copy.buffer, 0, copy.length, bytesPerSample);
  } catch (error) {
    throw new CodecError(error instanceof Error ? error.message : String(error));
  }
  const { dimX, dimY, numComp, precision } = decoder.frame;
  checkGeometry('JPEG Lossless', { width: dimX, height: dimY, componentCount: numComp }, image);
  if (precision > bytesPerSample * 8) throw new CodecError(`the JPEG Lossless stream has ${precision}-bit samples but the header allocates ${image.bitsAllocated} bits`);
  const samples = image.rows * image.columns * image.samplesPerPixel;
  if (decoded.length < samples) throw new CodecError(`the decoder returned ${decoded.length} samples, expected ${samples}`);
  return { samples: decoded.subarray(0, samples) };
}
