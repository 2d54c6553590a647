import { decodeWithDcmtk } from './dcmjs-native.ts';
import { htj2kCodec, jpeg2000Codec } from './jpeg2000.ts';
import { jpegCodec, jpegLosslessCodec } from './jpeg.ts';
import { jpegLsCodec } from './jpeg-ls.ts';
import type { CodecId } from './transfer-syntaxes.ts';
import { CodecError, samplesFromBytes, type FrameCodec } from './types.ts';

/**
 * Which codec decodes the frames of each encapsulated transfer syntax (the `codec` column of
 * transfer-syntaxes.ts). `native` pixel data is not encapsulated and is read by native.ts instead.
 */

/** RLE Lossless (PS3.5 Annex G) by DCMTK's RLE decoder (dcmjs-codecs). */
const rleCodec: FrameCodec = {
  name: 'DCMTK RLE (dcmjs-codecs)',
  async decode(frame, image) {
    if (image.bitsAllocated % 8 !== 0) throw new CodecError(`RLE with ${image.bitsAllocated} bits allocated is not supported`);
    const bytesPerSample = image.bitsAllocated / 8;
    const segments = frame.length >= 64 ? new DataView(frame.buffer, frame.byteOffset, 4).getUint32(0, true) : 0;
    if (segments !== image.samplesPerPixel * bytesPerSample) {
      throw new CodecError(`the RLE header lists ${segments} segments, but ${image.samplesPerPixel} sample(s) of ${image.bitsAllocated} bits need ${image.samplesPerPixel * bytesPerSample}`);
    }
    const bytes = await decodeWithDcmtk('decodeRle', frame, image, image.bitsAllocated);
    const length = image.rows * image.columns * image.samplesPerPixel * bytesPerSample;
    if (bytes.length < length) throw new CodecError(`the RLE segments decode to ${bytes.length} bytes, expected ${length}`);
    return { samples: samplesFromBytes(bytes.subarray(0, length), bytesPerSample, false) };
  },
};

/** Encapsulated Uncompressed Explicit VR Little Endian (.1.2.1.98): each fragment is one raw frame. */
const rawCodec: FrameCodec = {
  name: 'uncompressed fragments',
  async decode(frame, image) {
    if (![8, 16, 32].includes(image.bitsAllocated)) throw new CodecError(`uncompressed fragments with ${image.bitsAllocated} bits allocated are not supported`);
    const length = image.rows * image.columns * image.samplesPerPixel * (image.bitsAllocated / 8);
    if (frame.length < length) throw new CodecError(`the fragment holds ${frame.length} bytes, expected ${length}`);
    return { samples: samplesFromBytes(frame.subarray(0, length), image.bitsAllocated / 8, false) };
  },
};

export const FRAME_CODECS: Record<Exclude<CodecId, 'native'>, FrameCodec> = {
  raw: rawCodec,
  rle: rleCodec,
  jpeg: jpegCodec,
  'jpeg-lossless': jpegLosslessCodec,
  'jpeg-ls': jpegLsCodec,
  jpeg2000: jpeg2000Codec,
  htj2k: htj2kCodec,
};
