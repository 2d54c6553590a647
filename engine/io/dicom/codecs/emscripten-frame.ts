import { CodecError, type ImageAttributes } from './types.ts';
import { codecErrorMessage, type WasmModuleHandle } from './wasm.ts';

/**
 * The decode cycle shared by the Emscripten codecs (libjpeg-turbo, CharLS, OpenJPEG, OpenJPH): copy the
 * stream into the decoder's wasm memory, decode, read the frame info, copy the pixels out, free the
 * decoder. Any throw becomes a `CodecError`; after one, the module instance is dropped (see wasm.ts).
 */

export interface CodecFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

export interface EmbindDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): CodecFrameInfo;
  delete(): void;
}

export interface DecodedStream<D> {
  info: CodecFrameInfo;
  /** A copy of the decoded bytes (little-endian samples, the codec's own layout). */
  bytes: Uint8Array;
  /** Extra facts read from the decoder before it was freed. */
  extra: D;
}

export async function decodeWithEmbind<M extends object, D = undefined>(
  handle: WasmModuleHandle<M>,
  create: (module: M) => EmbindDecoder,
  frame: Uint8Array,
  readExtra?: (decoder: EmbindDecoder) => D,
): Promise<DecodedStream<D>> {
  const module = await handle.get();
  const decoder = create(module);
  try {
    decoder.getEncodedBuffer(frame.length).set(frame);
    decoder.decode();
    const info = decoder.getFrameInfo();
    const extra = readExtra ? readExtra(decoder) : (undefined as D);
    return { info: { ...info }, bytes: decoder.getDecodedBuffer().slice(), extra };
  } catch (error) {
    handle.reset();
    throw new CodecError(codecErrorMessage(error, module as { getExceptionMessage?: (pointer: number) => unknown }));
  } finally {
    try {
      decoder.delete();
    } catch {
      // the instance is being dropped anyway
    }
  }
}

/** Refuses a stream whose size or component count differs from the header's. */
export function checkGeometry(codec: string, info: { width: number; height: number; componentCount: number }, image: ImageAttributes): void {
  if (info.width !== image.columns || info.height !== image.rows || info.componentCount !== image.samplesPerPixel) {
    throw new CodecError(
      `the ${codec} stream is ${info.width}x${info.height} with ${info.componentCount} component(s), but the header says ${image.columns}x${image.rows} with ${image.samplesPerPixel} sample(s) per pixel`,
    );
  }
}
