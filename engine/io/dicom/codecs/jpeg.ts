import { decodeWithDcmtk } from './dcmjs-native.ts';
import { checkGeometry, decodeWithEmbind, type EmbindDecoder } from './emscripten-frame.ts';
import { jpegLsCodec } from './jpeg-ls.ts';
import { decodeJpegLossless } from './jpeg-lossless.ts';
import { CodecError, samplesFromBytes, type DecodedFrame, type FrameCodec, type ImageAttributes } from './types.ts';
import { CODEC_MODULES, wasmModule } from './wasm.ts';

/**
 * The JPEG family (ITU T.81), chosen by the stream's own start-of-frame marker rather than by the
 * transfer syntax alone, since files are sometimes labelled with the wrong JPEG syntax:
 * - SOF0/1/2 (baseline, extended, progressive), 8-bit: libjpeg-turbo (Cornerstone's wasm build). Three
 *   components come out as RGB: libjpeg converts YCbCr streams, as pydicom 3 does by default.
 * - SOF1/2 with 12- or 16-bit precision (JPEG Extended, .51): DCMTK's IJG libjpeg 12/16 (dcmjs-codecs).
 * - SOF3 (lossless, .57/.70): the JPEG lossless decoder (jpeg-lossless.ts).
 * - SOF55 (JPEG-LS): CharLS (jpeg-ls.ts).
 */

interface LibjpegModule {
  JPEGDecoder: new () => EmbindDecoder;
}

const libjpegTurbo = wasmModule<LibjpegModule>({ label: 'libjpeg-turbo (JPEG)', ...CODEC_MODULES.libjpegTurbo });

interface StartOfFrame {
  marker: number;
  precision: number;
  rows: number;
  columns: number;
  components: number;
  componentIds: number[];
  /** A JFIF APP0 or Adobe APP14 segment came before the frame header (they say how colour is coded). */
  colourMarker: boolean;
}

/** Reads the first SOFn segment (T.81 B.2.2) of a JPEG stream, walking marker segments; bounded by the stream length. */
export function readStartOfFrame(bytes: Uint8Array): StartOfFrame {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new CodecError('the frame does not start with a JPEG start-of-image marker (FFD8)');
  let position = 2;
  let colourMarker = false;
  while (position + 4 <= bytes.length) {
    if (bytes[position] !== 0xff) throw new CodecError(`the JPEG stream is damaged (no marker at byte ${position})`);
    const marker = bytes[position + 1]!;
    if (marker === 0xff || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      position += marker === 0xff ? 1 : 2;
      continue;
    }
    const length = (bytes[position + 2]! << 8) | bytes[position + 3]!;
    const isStartOfFrame = (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7;
    if (isStartOfFrame) {
      if (position + 10 > bytes.length) break;
      const components = bytes[position + 9]!;
      return {
        marker,
        precision: bytes[position + 4]!,
        rows: (bytes[position + 5]! << 8) | bytes[position + 6]!,
        columns: (bytes[position + 7]! << 8) | bytes[position + 8]!,
        components,
        componentIds: Array.from({ length: components }, (_unused, index) => bytes[position + 10 + index * 3] ?? 0),
        colourMarker,
      };
    }
    const label = String.fromCharCode(...bytes.subarray(position + 4, position + 9));
    // libjpeg honours these only when complete (JFIF: 14 data bytes, Adobe: 12), and so do we.
    if ((marker === 0xe0 && label === 'JFIF\0' && length >= 16) || (marker === 0xee && label === 'Adobe' && length >= 14)) colourMarker = true;
    if (marker === 0xda || marker === 0xd9) break;
    position += 2 + length;
  }
  throw new CodecError('the JPEG stream has no start-of-frame marker');
}

const R_G_B = [0x52, 0x47, 0x42];

/**
 * libjpeg decides how three components are coded from the JFIF / Adobe markers, else from component
 * IDs (1, 2, 3: YCbCr; 'R', 'G', 'B': RGB) and otherwise assumes YCbCr. When none of these says so
 * and the DICOM header says RGB, the stream is RGB (PS3.5 8.2.1): relabel its components 'R', 'G', 'B'
 * (in the frame header and every scan header) so libjpeg does not convert it. GDCM decides the same way.
 */
function needsRgbLabels(sof: StartOfFrame, image: ImageAttributes): boolean {
  const ids = sof.componentIds.join();
  return image.photometric === 'RGB' && sof.components === 3 && !sof.colourMarker && ids !== '1,2,3' && ids !== R_G_B.join();
}

function relabelAsRgb(stream: Uint8Array): Uint8Array {
  const out = stream.slice();
  const renamed = new Map<number, number>();
  let position = 2;
  while (position + 4 <= out.length) {
    const marker = out[position + 1]!;
    if (out[position] !== 0xff || marker === 0x00 || marker === 0xff || (marker >= 0xd0 && marker <= 0xd7)) {
      position += out[position] === 0xff && marker !== 0xff ? 2 : 1; // entropy-coded data, stuffing, restarts
      continue;
    }
    if (marker === 0xd9) break;
    if (marker >= 0xc0 && marker <= 0xc3) {
      for (let index = 0; index < out[position + 9]!; index += 1) {
        const at = position + 10 + index * 3;
        renamed.set(out[at]!, R_G_B[index]!);
        out[at] = R_G_B[index]!;
      }
    } else if (marker === 0xda) {
      for (let index = 0; index < out[position + 4]!; index += 1) {
        const at = position + 5 + index * 2;
        out[at] = renamed.get(out[at]!) ?? out[at]!;
      }
    }
    position += 2 + ((out[position + 2]! << 8) | out[position + 3]!);
  }
  return out;
}

async function decodeBaseline8(frame: Uint8Array, image: ImageAttributes, sof: StartOfFrame): Promise<DecodedFrame> {
  const stream = needsRgbLabels(sof, image) ? relabelAsRgb(frame) : frame;
  const { info, bytes } = await decodeWithEmbind(libjpegTurbo, (module) => new module.JPEGDecoder(), stream);
  checkGeometry('JPEG', info, image);
  return { samples: bytes.subarray(0, image.rows * image.columns * image.samplesPerPixel), photometric: info.componentCount === 3 ? 'RGB' : undefined };
}

async function decodeExtended(frame: Uint8Array, image: ImageAttributes, sof: StartOfFrame): Promise<DecodedFrame> {
  checkGeometry('JPEG', { width: sof.columns, height: sof.rows, componentCount: sof.components }, image);
  const bytes = await decodeWithDcmtk('decodeJpeg', frame, { ...image, bitsStored: Math.min(image.bitsStored, sof.precision) }, 16);
  const samples = image.rows * image.columns * image.samplesPerPixel;
  if (bytes.length < samples * 2) throw new CodecError(`the decoder returned ${bytes.length} bytes, expected ${samples * 2}`);
  return { samples: samplesFromBytes(bytes.subarray(0, samples * 2), 2, false), photometric: sof.components === 3 ? 'RGB' : undefined };
}

export const jpegCodec: FrameCodec = {
  name: 'JPEG (libjpeg-turbo; DCMTK for 12/16-bit)',
  async decode(frame, image) {
    const sof = readStartOfFrame(frame);
    if (sof.marker === 0xc3) return decodeJpegLossless(frame, image);
    if (sof.marker === 0xf7) return jpegLsCodec.decode(frame, image);
    if (sof.marker >= 0xc5) throw new CodecError(`JPEG process SOF${sof.marker - 0xc0} (hierarchical, lossless variants or arithmetic coding) is not supported`);
    if (sof.precision <= 8) return decodeBaseline8(frame, image, sof);
    if (image.bitsAllocated < 16) throw new CodecError(`the JPEG stream has ${sof.precision}-bit samples but the header allocates ${image.bitsAllocated} bits`);
    return decodeExtended(frame, image, sof);
  },
};

/** For the lossless transfer syntaxes (.57, .70): the same family dispatch, so a mislabelled stream still decodes. */
export const jpegLosslessCodec: FrameCodec = { ...jpegCodec, name: 'JPEG Lossless (jpeg-lossless-decoder-js)' };
