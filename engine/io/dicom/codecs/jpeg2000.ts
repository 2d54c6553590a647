import { checkGeometry, decodeWithEmbind, type DecodedStream, type EmbindDecoder } from './emscripten-frame.ts';
import { CodecError, samplesFromBytes, type DecodedFrame, type FrameCodec, type ImageAttributes } from './types.ts';
import { CODEC_MODULES, wasmModule } from './wasm.ts';

/**
 * JPEG 2000 (.90, .91) by OpenJPEG and High-Throughput JPEG 2000 (.201, .202, .203) by OpenJPH, both
 * Cornerstone's wasm builds. Both decode a raw codestream; a frame wrapped in a JP2 file (some writers do
 * that) is unwrapped to its codestream box first. Multi-component images come out interleaved with the
 * inverse colour transform applied (YBR_RCT / YBR_ICT -> RGB). The stream says whether samples are
 * signed; `pixel-data.ts` uses that for pydicom's correction of streams that disagree with the header.
 */

interface J2kModule {
  J2KDecoder: new () => EmbindDecoder;
}
interface Htj2kModule {
  HTJ2KDecoder: new () => EmbindDecoder;
}

const openjpeg = wasmModule<J2kModule>({ label: 'OpenJPEG (JPEG 2000)', ...CODEC_MODULES.openjpeg });
const openjph = wasmModule<Htj2kModule>({ label: 'OpenJPH (HTJ2K)', ...CODEC_MODULES.openjph });

/** The contiguous codestream: the frame itself, or the content of a JP2 file's 'jp2c' box (ISO 15444-1 I.5). */
export function codestream(frame: Uint8Array): Uint8Array {
  if (frame[0] === 0xff && frame[1] === 0x4f) return frame;
  const isJp2 = frame.length >= 12 && frame[4] === 0x6a && frame[5] === 0x50 && frame[6] === 0x20 && frame[7] === 0x20;
  if (!isJp2) throw new CodecError('the frame is neither a JPEG 2000 codestream (FF4F) nor a JP2 file');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  let position = 0;
  while (position + 8 <= frame.length) {
    let length = view.getUint32(position);
    const type = String.fromCharCode(frame[position + 4]!, frame[position + 5]!, frame[position + 6]!, frame[position + 7]!);
    let header = 8;
    if (length === 1 && position + 16 <= frame.length) {
      length = Number(view.getBigUint64(position + 8));
      header = 16;
    } else if (length === 0) {
      length = frame.length - position;
    }
    if (type === 'jp2c') return frame.subarray(position + header, Math.min(frame.length, position + length));
    if (length < header) break;
    position += length;
  }
  throw new CodecError('the JP2 file holds no codestream box');
}

function toFrame(codec: string, decoded: DecodedStream<undefined>, image: ImageAttributes): DecodedFrame {
  const { info, bytes } = decoded;
  checkGeometry(codec, info, image);
  const bytesPerSample = info.bitsPerSample <= 8 ? 1 : info.bitsPerSample <= 16 ? 2 : 4;
  if (bytesPerSample * 8 > Math.max(8, image.bitsAllocated)) throw new CodecError(`the ${codec} stream has ${info.bitsPerSample}-bit samples but the header allocates ${image.bitsAllocated} bits`);
  const count = image.rows * image.columns * image.samplesPerPixel;
  if (bytes.length < count * bytesPerSample) throw new CodecError(`the decoder returned ${bytes.length} bytes, expected ${count * bytesPerSample}`);
  return {
    samples: samplesFromBytes(bytes.subarray(0, count * bytesPerSample), bytesPerSample, Boolean(info.isSigned)),
    photometric: image.samplesPerPixel === 3 && ['YBR_RCT', 'YBR_ICT'].includes(image.photometric) ? 'RGB' : undefined,
    stream: { precision: info.bitsPerSample, signed: Boolean(info.isSigned) },
  };
}

export const jpeg2000Codec: FrameCodec = {
  name: 'OpenJPEG (JPEG 2000)',
  async decode(frame, image) {
    return toFrame('JPEG 2000', await decodeWithEmbind(openjpeg, (module) => new module.J2KDecoder(), codestream(frame)), image);
  },
};

export const htj2kCodec: FrameCodec = {
  name: 'OpenJPH (High-Throughput JPEG 2000)',
  async decode(frame, image) {
    return toFrame('HTJ2K', await decodeWithEmbind(openjph, (module) => new module.HTJ2KDecoder(), codestream(frame)), image);
  },
};
