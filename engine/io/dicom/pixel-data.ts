import { InputError } from '../input-error.ts';
import type { SourceDtype, VoxelArray } from '../volume.ts';
import { ybrFullToRgb } from './codecs/color.ts';
import { encapsulatedFrames, FrameSplitError } from './codecs/frames.ts';
import { decodeNative, expectedNativeBytes, type NativeLayout } from './codecs/native.ts';
import { FRAME_CODECS } from './codecs/registry.ts';
import { describeTransferSyntax, type TransferSyntax } from './codecs/transfer-syntaxes.ts';
import { CodecError, sampleArray, type DecodedFrame, type ImageAttributes } from './codecs/types.ts';
import { PIXEL_DATA_TAGS, tagName, type ParsedDicom } from './parse.ts';

/**
 * Decoding a parsed file's pixel data to stored values.
 *
 * Contract of `decodePixelData`:
 * - `data` holds the STORED values (no Modality LUT / rescale) of all frames one after the other; each
 *   frame is rows * columns * samplesPerPixel values, column index fastest, samples interleaved per pixel.
 * - Signed data (Pixel Representation 1) comes out in a signed array, sign-extended from Bits Stored
 *   when Bits Stored < Bits Allocated (from the stream's own precision for a JPEG 2000 stream that says
 *   it is unsigned, as pydicom does). Unsigned data is not masked.
 * - Colour: 8-bit YBR_FULL and YBR_FULL_422 come out as RGB (JPEG streams through the codec's own
 *   conversion, others through pydicom's formula), and JPEG 2000 YBR_RCT / YBR_ICT as RGB (the codec's
 *   inverse transform); `photometric` is the interpretation of `data`, so 'RGB' after a conversion.
 *   Other photometrics (MONOCHROME1, PALETTE COLOR, ...) are returned as stored.
 * - Bits Allocated 1 is unpacked to one 0/1 value per pixel (Uint8Array).
 * - Anything that cannot be decoded throws `InputError` naming the file, the problem and what to do:
 *   no pixel data, an unsupported transfer syntax or bit depth, pixel data shorter than the header
 *   says, a damaged stream. Time is bounded by the file size (no codec loops on truncated input).
 */

export interface DecodedPixels {
  rows: number;
  columns: number;
  frames: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
  /** Photometric interpretation of `data` (may differ from the header's after a colour conversion). */
  photometric: string;
  /** Stored values of all frames, see the contract above. */
  data: VoxelArray;
  /** The stored type: 'rgb24' for 8-bit three-sample (colour) data. */
  sourceDtype: SourceDtype;
  transferSyntaxUID: string;
  /** The transfer syntax is lossy (values may differ slightly between decoders). */
  lossy: boolean;
}

/** More than this many bytes of decoded pixels is refused (a guard against damaged or hostile headers). */
export const MAX_DECODED_BYTES = 2 ** 31;

const HINT_DAMAGED = 'The file is damaged or incomplete; copy it again from its source, or leave it out.';
const HINT_CONVERT = 'Convert the file to an uncompressed transfer syntax (e.g. `gdcmconv --raw` or `dcmdjpeg`), or to NIfTI with dcm2niix.';

const TAG = {
  samplesPerPixel: 'x00280002',
  photometric: 'x00280004',
  planarConfiguration: 'x00280006',
  numberOfFrames: 'x00280008',
  rows: 'x00280010',
  columns: 'x00280011',
  bitsAllocated: 'x00280100',
  bitsStored: 'x00280101',
  pixelRepresentation: 'x00280103',
  modality: 'x00080060',
} as const;

export async function decodePixelData(parsed: ParsedDicom): Promise<DecodedPixels> {
  const { path } = parsed;
  const pixelTag = PIXEL_DATA_TAGS.find((tag) => parsed.has(tag));
  if (!pixelTag) {
    const modality = parsed.string(TAG.modality);
    throw new InputError(path, `has no pixel data${modality ? ` (Modality ${modality})` : ''}`, 'Only image files can be imported: leave out reports, plans, waveforms and header-only files.');
  }
  const syntax = parsed.transferSyntax;
  if (!syntax) throw new InputError(path, `uses ${describeTransferSyntax(parsed.transferSyntaxUID)}, which VoxNAS cannot decode`, HINT_CONVERT);

  const float = pixelTag === 'x7fe00008' ? 32 : pixelTag === 'x7fe00009' ? 64 : undefined;
  const image = imageAttributes(parsed, float);
  const frames = numberOfFrames(parsed);
  const perFrame = image.rows * image.columns * image.samplesPerPixel;
  const decodedBytes = frames * perFrame * Math.max(1, image.bitsAllocated / 8);
  if (decodedBytes > MAX_DECODED_BYTES) {
    throw new InputError(path, `declares ${frames} frame(s) of ${image.columns}x${image.rows}x${image.samplesPerPixel} ${image.bitsAllocated}-bit samples (${(decodedBytes / 2 ** 30).toFixed(1)} GiB), more than VoxNAS decodes from one file`, 'Split the object into smaller series, or check that its header is not damaged.');
  }

  const element = parsed.dataSet.elements[pixelTag]!;
  const decoded = element.encapsulatedPixelData
    ? await decodeEncapsulated(parsed, syntax, image, frames)
    : decodeNativePixels(parsed, pixelTag, syntax, { image, frames, littleEndian: syntax.littleEndian, float });

  const { data } = decoded;
  let { photometric } = decoded;
  if (image.pixelRepresentation === 1 && !float) {
    const bits = decoded.stream && !decoded.stream.signed ? decoded.stream.precision : image.bitsStored;
    signExtend(data as Int8Array | Int16Array | Int32Array, bits, image.bitsAllocated);
  }
  if (image.samplesPerPixel === 3 && image.bitsAllocated === 8 && (photometric === 'YBR_FULL' || photometric === 'YBR_FULL_422') && data instanceof Uint8Array) {
    ybrFullToRgb(data);
    photometric = 'RGB';
  }
  return {
    rows: image.rows,
    columns: image.columns,
    frames,
    samplesPerPixel: image.samplesPerPixel,
    bitsAllocated: image.bitsAllocated,
    bitsStored: image.bitsStored,
    pixelRepresentation: image.pixelRepresentation,
    photometric,
    data,
    sourceDtype: sourceDtype(data, image.samplesPerPixel),
    transferSyntaxUID: syntax.uid,
    lossy: syntax.lossy,
  };
}

/** The Image Pixel module attributes, validated; defaults where the standard's meaning is unambiguous. */
function imageAttributes(parsed: ParsedDicom, float: 32 | 64 | undefined): ImageAttributes {
  const { path } = parsed;
  const required = (tag: string): number => {
    const value = parsed.number(tag);
    if (value === undefined) throw new InputError(path, `has pixel data but no ${tagName(tag)}`, HINT_DAMAGED);
    return value;
  };
  const rows = required(TAG.rows);
  const columns = required(TAG.columns);
  const bitsAllocated = required(TAG.bitsAllocated);
  const samplesPerPixel = parsed.number(TAG.samplesPerPixel) ?? 1;
  const bitsStored = parsed.number(TAG.bitsStored) ?? bitsAllocated;
  const pixelRepresentation = parsed.number(TAG.pixelRepresentation) ?? 0;
  const photometric = (parsed.string(TAG.photometric) ?? (samplesPerPixel === 1 ? 'MONOCHROME2' : 'RGB')).toUpperCase();
  const planarConfiguration = parsed.number(TAG.planarConfiguration) ?? 0;

  const problem =
    (rows < 1 || columns < 1 || !Number.isInteger(rows * columns) ? `an image size of ${columns}x${rows}` : undefined) ??
    (float && bitsAllocated !== float ? `${tagName(`x7fe0000${float === 32 ? 8 : 9}`)} with ${bitsAllocated} bits allocated (expected ${float})` : undefined) ??
    (!float && ![1, 8, 16, 32].includes(bitsAllocated) ? `${bitsAllocated} bits allocated per sample (supported: 1, 8, 16, 32)` : undefined) ??
    (bitsStored < 1 || bitsStored > bitsAllocated ? `${bitsStored} bits stored in ${bitsAllocated} bits allocated` : undefined) ??
    (![1, 3, 4].includes(samplesPerPixel) ? `${samplesPerPixel} samples per pixel` : undefined) ??
    (![0, 1].includes(pixelRepresentation) ? `a pixel representation of ${pixelRepresentation}` : undefined) ??
    (bitsAllocated === 1 && samplesPerPixel !== 1 ? `1-bit data with ${samplesPerPixel} samples per pixel` : undefined);
  if (problem) throw new InputError(path, `has ${problem}, which VoxNAS cannot decode`, HINT_DAMAGED);
  return { rows, columns, samplesPerPixel, bitsAllocated, bitsStored, pixelRepresentation, photometric, planarConfiguration };
}

function numberOfFrames(parsed: ParsedDicom): number {
  const frames = parsed.number(TAG.numberOfFrames);
  if (frames === undefined || frames === 0) return 1; // absent or 0: one frame, as pydicom reads it
  if (!Number.isInteger(frames) || frames < 0) throw new InputError(parsed.path, `has ${tagName(TAG.numberOfFrames)} = ${frames}`, HINT_DAMAGED);
  return frames;
}

interface DecodedAll {
  data: VoxelArray;
  photometric: string;
  stream?: DecodedFrame['stream'];
}

function decodeNativePixels(parsed: ParsedDicom, tag: string, syntax: TransferSyntax, layout: NativeLayout): DecodedAll {
  const { path, dataSet } = parsed;
  if (syntax.encapsulated) {
    throw new InputError(path, `says its pixel data is ${describeTransferSyntax(syntax.uid)} but ${tagName(tag)} is not encapsulated`, HINT_DAMAGED);
  }
  const element = dataSet.elements[tag]!;
  const expected = expectedNativeBytes(layout);
  const available = Math.max(0, Math.min(element.length, dataSet.byteArray.length - element.dataOffset));
  if (available < expected) {
    const what = parsed.truncated?.tag === tag ? 'the file is truncated' : 'the header and the pixel data disagree';
    throw new InputError(path, `is truncated: its pixel data is ${available} bytes, expected ${expected} for ${layout.frames} frame(s) of ${layout.image.columns}x${layout.image.rows}x${layout.image.samplesPerPixel} ${layout.image.bitsAllocated}-bit samples (${what})`, HINT_DAMAGED);
  }
  return decodeNative(dataSet.byteArray.subarray(element.dataOffset, element.dataOffset + expected), layout);
}

async function decodeEncapsulated(parsed: ParsedDicom, syntax: TransferSyntax, image: ImageAttributes, frames: number): Promise<DecodedAll> {
  const { path, dataSet } = parsed;
  const name = describeTransferSyntax(syntax.uid);
  if (syntax.codec === 'native') throw new InputError(path, `has encapsulated pixel data, which ${name} does not allow`, HINT_DAMAGED);
  if (image.bitsAllocated === 1 || (image.bitsAllocated > 16 && syntax.codec !== 'rle' && syntax.codec !== 'raw')) {
    throw new InputError(path, `has ${image.bitsAllocated}-bit samples in ${name}, for which VoxNAS has no decoder`, HINT_CONVERT);
  }
  let fragments: Uint8Array[];
  try {
    fragments = encapsulatedFrames(dataSet, dataSet.elements['x7fe00010']!, frames, syntax.codec);
  } catch (error) {
    if (error instanceof FrameSplitError) throw new InputError(path, `has unreadable ${name} pixel data: ${error.message}`, HINT_DAMAGED);
    throw error;
  }

  const codec = FRAME_CODECS[syntax.codec];
  const perFrame = image.rows * image.columns * image.samplesPerPixel;
  const data = sampleArray(image.bitsAllocated, image.pixelRepresentation === 1, frames * perFrame);
  let photometric = image.photometric;
  let stream: DecodedFrame['stream'];
  for (const [index, bytes] of fragments.entries()) {
    let frame: DecodedFrame;
    try {
      frame = await codec.decode(bytes, image);
    } catch (error) {
      if (!(error instanceof CodecError)) throw error;
      throw new InputError(path, `frame ${index + 1} of ${frames} could not be decoded as ${name} by ${codec.name}: ${error.message}`, HINT_DAMAGED);
    }
    if (frame.samples.length !== perFrame) {
      throw new InputError(path, `frame ${index + 1} of ${frames} decoded to ${frame.samples.length} values, expected ${perFrame}`, HINT_DAMAGED);
    }
    data.set(frame.samples, index * perFrame);
    photometric = frame.photometric ?? photometric;
    stream ??= frame.stream;
  }
  return { data, photometric, stream };
}

/** Two's complement sign extension from `bits` to the container, in place (no-op when bits fill it). */
function signExtend(data: Int8Array | Int16Array | Int32Array, bits: number, bitsAllocated: number): void {
  if (bits >= bitsAllocated || bits >= 32) return;
  const shift = 32 - bits;
  for (let index = 0; index < data.length; index += 1) data[index] = (data[index]! << shift) >> shift;
}

function sourceDtype(data: VoxelArray, samplesPerPixel: number): SourceDtype {
  if (data instanceof Uint8Array) return samplesPerPixel === 3 ? 'rgb24' : 'uint8';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Float32Array) return 'float32';
  return 'float64';
}
