import { createRequire } from 'node:module';
import type * as DcmjsCodecs from 'dcmjs-codecs';
import { CodecError, type ImageAttributes } from './types.ts';

/**
 * dcmjs-codecs' WebAssembly build of DCMTK's decoders (IJG libjpeg 8/12/16-bit, RLE), used for what
 * the Cornerstone codecs do not cover: JPEG with 12- or 16-bit precision and RLE Lossless. In Node it
 * reads its .wasm from its own package folder (no fetch). Loaded on first use only.
 */

const requireHere = createRequire(import.meta.url);
type Package = typeof DcmjsCodecs;

let ready: Promise<Package> | undefined;

function load(): Promise<Package> {
  ready ??= (async () => {
    const codecs = requireHere('dcmjs-codecs') as Package;
    if (!codecs.NativeCodecs.isInitialized()) await codecs.NativeCodecs.initializeAsync({ logCodecsInfo: false, logCodecsTrace: false });
    return codecs;
  })().catch((error: unknown) => {
    ready = undefined;
    throw new CodecError(`the DCMTK (dcmjs-codecs) decoder could not be loaded (${error instanceof Error ? error.message : String(error)}); reinstall VoxNAS's dependencies (npm ci)`);
  });
  return ready;
}

export type DcmjsOperation = 'decodeJpeg' | 'decodeRle';

/**
 * Decodes one frame with a DCMTK codec; returns its little-endian sample bytes, interleaved
 * (DCMTK's RLE and JPEG codecs always hand back PlanarConfiguration 0).
 */
export async function decodeWithDcmtk(operation: DcmjsOperation, frame: Uint8Array, image: ImageAttributes, bitsAllocated: number): Promise<Uint8Array> {
  const codecs = await load();
  const context = new codecs.Context({
    width: image.columns,
    height: image.rows,
    bitsAllocated,
    bitsStored: Math.min(image.bitsStored, bitsAllocated),
    samplesPerPixel: image.samplesPerPixel,
    pixelRepresentation: image.pixelRepresentation,
    planarConfiguration: image.planarConfiguration,
    photometricInterpretation: image.photometric,
    encodedBuffer: frame,
  });
  let decoded: Uint8Array | undefined;
  try {
    const result = operation === 'decodeJpeg' ? codecs.NativeCodecs.decodeJpeg(context, { convertColorspaceToRgb: true }) : codecs.NativeCodecs.decodeRle(context, {});
    if (result.getPlanarConfiguration() === 1) throw new CodecError('DCMTK returned planar samples, which VoxNAS does not expect');
    decoded = result.getDecodedBuffer();
  } catch (error) {
    if (error instanceof CodecError) throw error;
    if (error instanceof Error && error.name === 'RuntimeError') {
      // A trap leaves the module's memory in an unknown state: start afresh next time.
      codecs.NativeCodecs.release();
      ready = undefined;
    }
    throw new CodecError(error instanceof Error ? error.message : String(error));
  }
  if (!decoded) throw new CodecError('the decoder returned no pixels');
  return decoded.slice();
}
