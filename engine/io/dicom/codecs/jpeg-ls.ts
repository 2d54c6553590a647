import { checkGeometry, decodeWithEmbind, type EmbindDecoder } from './emscripten-frame.ts';
import { CodecError, interleave, samplesFromBytes, type FrameCodec } from './types.ts';
import { CODEC_MODULES, wasmModule } from './wasm.ts';

/**
 * JPEG-LS lossless and near-lossless (.80, .81) by CharLS (Cornerstone's wasm build). CharLS returns
 * unsigned samples in the stream's interleave mode: for colour with interleave mode "none" the planes
 * come one after the other and are interleaved here.
 */

interface CharlsDecoder extends EmbindDecoder {
  getInterleaveMode(): number;
}

interface CharlsModule {
  JpegLSDecoder: new () => CharlsDecoder;
  getExceptionMessage?: (pointer: number) => unknown;
}

const charls = wasmModule<CharlsModule>({ label: 'CharLS (JPEG-LS)', ...CODEC_MODULES.charls });

export const jpegLsCodec: FrameCodec = {
  name: 'CharLS (JPEG-LS)',
  async decode(frame, image) {
    const { info, bytes, extra: interleaveMode } = await decodeWithEmbind(charls, (module) => new module.JpegLSDecoder(), frame, (decoder) => (decoder as CharlsDecoder).getInterleaveMode());
    checkGeometry('JPEG-LS', info, image);
    const bytesPerSample = info.bitsPerSample <= 8 ? 1 : 2;
    if (bytesPerSample * 8 > image.bitsAllocated) throw new CodecError(`the JPEG-LS stream has ${info.bitsPerSample}-bit samples but the header allocates ${image.bitsAllocated} bits`);
    const pixels = image.rows * image.columns;
    const count = pixels * image.samplesPerPixel;
    if (bytes.length < count * bytesPerSample) throw new CodecError(`the decoder returned ${bytes.length} bytes, expected ${count * bytesPerSample}`);
    const samples = samplesFromBytes(bytes.subarray(0, count * bytesPerSample), bytesPerSample, false);
    return { samples: interleaveMode === 0 ? interleave(samples, pixels, image.samplesPerPixel) : samples };
  },
};
