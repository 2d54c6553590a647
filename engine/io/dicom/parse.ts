import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { gunzipSync, inflateRawSync } from 'node:zlib';
import type * as DicomParser from 'dicom-parser';
import type { ByteArrayParser, ByteStream, DataSet, Element } from 'dicom-parser';
import { InputError } from '../input-error.ts';
import {
  DEFLATED_EXPLICIT_LITTLE_ENDIAN,
  EXPLICIT_BIG_ENDIAN,
  EXPLICIT_LITTLE_ENDIAN,
  IMPLICIT_LITTLE_ENDIAN,
  transferSyntax,
  type TransferSyntax,
} from './codecs/transfer-syntaxes.ts';

/**
 * Reading a DICOM file into a dicom-parser DataSet, whatever its framing:
 * - with or without the 128-byte preamble and "DICM", with or without a file meta header (group 0002);
 * - gzip-wrapped files (.dcm.gz) are gunzipped first;
 * - the data set in Implicit or Explicit VR Little Endian, Explicit VR Big Endian, or Deflated Explicit VR
 *   Little Endian (inflated with zlib; the DataSet then reads from the inflated bytes);
 * - no meta header, or a meta header without Transfer Syntax UID: the encoding is recognised from the
 *   first element (explicit or implicit VR, little or big endian), as pydicom's `force=True` reading does.
 *
 * Contract: `parseDicomBuffer` returns or throws `InputError`, never anything else, in time linear in the
 * file size. A file cut short inside Pixel Data still parses (`truncated` says by how much) so that its
 * header can be used; `decodePixelData` refuses it. A file cut short anywhere else is refused here.
 * Nothing is decoded here: pixel data stays where it is (see `pixel-data.ts`).
 */

const requireHere = createRequire(import.meta.url);
const dicomParser = requireHere('dicom-parser') as typeof DicomParser & {
  DataSet: new (parser: ByteArrayParser, byteArray: Uint8Array, elements: Record<string, Element>) => DataSet;
};

/** Pixel data elements: Pixel Data, Float Pixel Data, Double Float Pixel Data. */
export const PIXEL_DATA_TAGS = ['x7fe00010', 'x7fe00008', 'x7fe00009'] as const;

export interface Truncation {
  /** The element that runs past the end of the file (always a pixel data element; others are refused). */
  tag: string;
  /** Bytes its header declares. */
  declared: number;
  /** Bytes the file still holds for it. */
  available: number;
}

export class ParsedDicom {
  constructor(
    /** The file this came from (for messages). */
    readonly path: string,
    /** The data set after the meta header. Element offsets point into `dataSet.byteArray`. */
    readonly dataSet: DataSet,
    /** The file meta information (group 0002), or undefined when the file has none. */
    readonly meta: DataSet | undefined,
    /** Transfer Syntax UID from the meta header, or the one recognised from the data (see `warnings`). */
    readonly transferSyntaxUID: string,
    /** What was unusual but readable: no meta header, guessed transfer syntax, gzip, ... */
    readonly warnings: readonly string[],
    /** Set when pixel data runs past the end of the file. */
    readonly truncated?: Truncation,
  ) {}

  /** The transfer syntax's table row, or undefined for a UID we do not know. */
  get transferSyntax(): TransferSyntax | undefined {
    return transferSyntax(this.transferSyntaxUID);
  }

  has(tag: string): boolean {
    return this.dataSet.elements[tag] !== undefined;
  }

  /** A text value with padding removed (all values joined by '\' when `index` is omitted); undefined if absent or empty. */
  string(tag: string, index?: number): string | undefined {
    const element = this.dataSet.elements[tag];
    if (!element || element.length === 0) return undefined;
    const text = index === undefined ? readText(this.dataSet, element) : this.dataSet.string(tag, index);
    const trimmed = text?.replace(/[\0 ]+$/, '').trim();
    return trimmed ? trimmed : undefined;
  }

  /**
   * All numeric values of an element: decimal strings (IS, DS: "0.5\0.5") or binary (US, SS, UL, SL,
   * FL, FD; in implicit VR files the size is taken from the element length). [] when absent or empty.
   * Throws `InputError` when a string value is not a number (e.g. NumberOfFrames "1A").
   */
  numbers(tag: string): number[] {
    const element = this.dataSet.elements[tag];
    if (!element || element.length === 0) return [];
    const vr = element.vr ?? IMPLICIT_BINARY_VRS[tag] ?? (looksLikeText(this.dataSet, element) ? 'DS' : element.length % 4 === 0 ? 'UL' : 'US');
    const binary = BINARY_VRS[vr];
    if (binary) return Array.from({ length: Math.floor(element.length / binary.size) }, (_unused, index) => binary.read(this.dataSet, tag, index));
    const text = readText(this.dataSet, element).replace(/[\0 ]+$/, '').trim();
    if (!text) return [];
    return text.split('\\').map((value) => {
      const number = Number(value.trim());
      if (value.trim() === '' || !Number.isFinite(number)) {
        throw new InputError(this.path, `has a non-numeric value "${text}" in ${tagName(tag)}`, 'The file header is damaged; re-export the series from the scanner or PACS.');
      }
      return number;
    });
  }

  /** The first numeric value (see `numbers`), or undefined. */
  number(tag: string): number | undefined {
    return this.numbers(tag)[0];
  }
}

/** "(0028,0008) NumberOfFrames"-style label for messages. */
export function tagName(tag: string): string {
  const label = `(${tag.slice(1, 5).toUpperCase()},${tag.slice(5, 9).toUpperCase()})`;
  return TAG_NAMES[tag] ? `${TAG_NAMES[tag]} ${label}` : label;
}

const TAG_NAMES: Record<string, string> = {
  x00280002: 'Samples per Pixel',
  x00280004: 'Photometric Interpretation',
  x00280006: 'Planar Configuration',
  x00280008: 'Number of Frames',
  x00280010: 'Rows',
  x00280011: 'Columns',
  x00280100: 'Bits Allocated',
  x00280101: 'Bits Stored',
  x00280103: 'Pixel Representation',
  x7fe00010: 'Pixel Data',
  x7fe00008: 'Float Pixel Data',
  x7fe00009: 'Double Float Pixel Data',
};

type BinaryReader = (dataSet: DataSet, tag: string, index: number) => number;
const BINARY_VRS: Record<string, { size: number; read: BinaryReader }> = {
  US: { size: 2, read: (dataSet, tag, index) => dataSet.uint16(tag, index) ?? 0 },
  SS: { size: 2, read: (dataSet, tag, index) => dataSet.int16(tag, index) ?? 0 },
  UL: { size: 4, read: (dataSet, tag, index) => dataSet.uint32(tag, index) ?? 0 },
  SL: { size: 4, read: (dataSet, tag, index) => dataSet.int32(tag, index) ?? 0 },
  FL: { size: 4, read: (dataSet, tag, index) => dataSet.float(tag, index) ?? 0 },
  FD: { size: 8, read: (dataSet, tag, index) => dataSet.double(tag, index) ?? 0 },
};

/** Binary attributes we read from implicit VR files, where the element carries no VR. */
const IMPLICIT_BINARY_VRS: Record<string, string> = {
  x00280002: 'US', // Samples per Pixel
  x00280006: 'US', // Planar Configuration
  x00280010: 'US', // Rows
  x00280011: 'US', // Columns
  x00280100: 'US', // Bits Allocated
  x00280101: 'US', // Bits Stored
  x00280102: 'US', // High Bit
  x00280103: 'US', // Pixel Representation
  x00620004: 'US', // Segment Number
  x0062000b: 'US', // Referenced Segment Number
};

/** Implicit VR, tag not in the table above: numeric text (IS, DS) is digits, signs, dots, exponents, spaces and '\\'. */
function looksLikeText(dataSet: DataSet, element: Element): boolean {
  const bytes = dataSet.byteArray.subarray(element.dataOffset, element.dataOffset + element.length);
  return bytes.every((byte) => (byte >= 0x30 && byte <= 0x39) || [0x2b, 0x2d, 0x2e, 0x45, 0x65, 0x20, 0x5c, 0x00].includes(byte));
}

function readText(dataSet: DataSet, element: Element): string {
  const end = Math.min(element.dataOffset + element.length, dataSet.byteArray.length);
  let text = '';
  for (let index = element.dataOffset; index < end; index += 1) text += String.fromCharCode(dataSet.byteArray[index]!);
  return text;
}

// ---------------------------------------------------------------------------------------------------
// Framing: gzip, preamble, meta header

const HINT_NOT_DICOM = 'Choose DICOM image files (.dcm, or the files of a scanner export folder), or a NIfTI file.';
const HINT_DAMAGED = 'The file is damaged or incomplete; copy it again from its source, or leave it out.';

/** VRs whose explicit-VR element header has 2 reserved bytes and a 4-byte length (PS3.5 7.1.2). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const ALL_VRS = new Set([...LONG_VRS, 'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'PN', 'SH', 'SL', 'SS', 'ST', 'TM', 'UI', 'UL', 'US']);

const u16le = (bytes: Uint8Array, at: number): number => bytes[at]! | (bytes[at + 1]! << 8);
const u16be = (bytes: Uint8Array, at: number): number => (bytes[at]! << 8) | bytes[at + 1]!;
const u32le = (bytes: Uint8Array, at: number): number => (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
const ascii = (bytes: Uint8Array, from: number, to: number): string => String.fromCharCode(...bytes.subarray(from, to));

const isGzip = (bytes: Uint8Array): boolean => bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** Where the meta header starts: after "DICM" (with or without preamble), or at 0 if group 0002 starts the file. */
function metaStart(bytes: Uint8Array): number | undefined {
  if (bytes.length >= 132 && ascii(bytes, 128, 132) === 'DICM') return 132;
  if (bytes.length >= 4 && ascii(bytes, 0, 4) === 'DICM') return 4;
  if (bytes.length >= 8 && u16le(bytes, 0) === 0x0002 && ALL_VRS.has(ascii(bytes, 4, 6))) return 0;
  return undefined;
}

/** End of the meta header: elements are explicit VR little endian and all in group 0002 (PS3.10 7.1). */
function metaEnd(bytes: Uint8Array, start: number, path: string): number {
  let position = start;
  while (position + 8 <= bytes.length && u16le(bytes, position) === 0x0002) {
    const vr = ascii(bytes, position + 4, position + 6);
    if (!ALL_VRS.has(vr)) throw new InputError(path, `has a damaged file meta header (unknown VR "${vr}" at byte ${position + 4})`, HINT_DAMAGED);
    const long = LONG_VRS.has(vr);
    if (long && position + 12 > bytes.length) break;
    const length = long ? u32le(bytes, position + 8) : u16le(bytes, position + 6);
    position += (long ? 12 : 8) + length;
  }
  if (position > bytes.length) throw new InputError(path, 'is truncated inside its file meta header', HINT_DAMAGED);
  return position;
}

interface Encoding {
  uid: string;
  littleEndian: boolean;
  explicitVr: boolean;
}

/**
 * Recognises the encoding of a data set from its first element, or undefined if it does not look like
 * DICOM: the first tag must be in a low, even group (0002 to 0028, where every real data set starts),
 * and either carry a valid explicit VR or an implicit length that fits in the file.
 */
function sniffEncoding(bytes: Uint8Array, at: number): Encoding | undefined {
  if (at + 8 > bytes.length) return undefined;
  const plausibleGroup = (group: number): boolean => group % 2 === 0 && group <= 0x0028;
  const vr = ascii(bytes, at + 4, at + 6);
  if (plausibleGroup(u16le(bytes, at))) {
    if (ALL_VRS.has(vr)) return { uid: EXPLICIT_LITTLE_ENDIAN, littleEndian: true, explicitVr: true };
    const length = u32le(bytes, at + 4);
    if (length === 0xffffffff || at + 8 + length <= bytes.length) return { uid: IMPLICIT_LITTLE_ENDIAN, littleEndian: true, explicitVr: false };
  }
  if (plausibleGroup(u16be(bytes, at)) && ALL_VRS.has(vr)) return { uid: EXPLICIT_BIG_ENDIAN, littleEndian: false, explicitVr: true };
  return undefined;
}

/** dicom-parser throws strings, Errors, or `{ exception, dataSet }`: the message in each case. */
function parserMessage(error: unknown): string {
  if (typeof error === 'string') {
    if (error.includes('maxP')) return 'a sequence or item is longer than the data that holds it (the file is truncated or damaged)';
    return error.replace(/^dicomParser[.:]\s*/, '');
  }
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'exception' in error) return parserMessage((error as { exception: unknown }).exception);
  return String(error);
}

function parseMeta(bytes: Uint8Array, start: number, end: number): DataSet {
  const meta = new dicomParser.DataSet(dicomParser.littleEndianByteArrayParser, bytes, {});
  if (end > start) {
    const stream = new dicomParser.ByteStream(dicomParser.littleEndianByteArrayParser, bytes, start);
    meta.warnings = stream.warnings;
    dicomParser.parseDicomDataSetExplicit(meta, stream, end);
  } else {
    meta.warnings = [];
  }
  return meta;
}

/** The element that runs furthest past the end of the bytes, if any. */
function overrunningElement(dataSet: DataSet): Element | undefined {
  let worst: Element | undefined;
  for (const element of Object.values(dataSet.elements)) {
    const end = element.dataOffset + element.length;
    if (end > dataSet.byteArray.length && (!worst || end > worst.dataOffset + worst.length)) worst = element;
  }
  return worst;
}

/**
 * Implicit VR data set. dicom-parser's implicit reader takes an undefined-length Pixel Data for a
 * sequence (its first item looks like one), so we stop at Pixel Data, read it as encapsulated, and go on.
 */
function parseImplicit(dataSet: DataSet, stream: ByteStream, end: number): void {
  dicomParser.parseDicomDataSetImplicit(dataSet, stream, end, { untilTag: 'x7fe00010' });
  const pixelData = dataSet.elements['x7fe00010'];
  if (!pixelData || stream.position !== pixelData.dataOffset) return;
  if (pixelData.hadUndefinedLength) dicomParser.findEndOfEncapsulatedElement(stream, pixelData, dataSet.warnings);
  else stream.seek(pixelData.length);
  if (stream.position < end) dicomParser.parseDicomDataSetImplicit(dataSet, stream, end);
}

/** Parses a DICOM file held in memory. `path` is used in messages only. */
export function parseDicomBuffer(input: Uint8Array, path: string): ParsedDicom {
  const warnings: string[] = [];
  let bytes = input;
  if (isGzip(bytes)) {
    try {
      bytes = new Uint8Array(gunzipSync(bytes));
    } catch (error) {
      throw new InputError(path, `is gzip-compressed but could not be decompressed (${error instanceof Error ? error.message : String(error)})`, HINT_DAMAGED);
    }
    warnings.push('gzip-compressed file, decompressed in memory');
  }

  // 1. The file meta header, if any.
  const start = metaStart(bytes);
  let meta: DataSet | undefined;
  let bodyStart = 0;
  if (start !== undefined) {
    bodyStart = metaEnd(bytes, start, path);
    try {
      meta = parseMeta(bytes, start, bodyStart);
    } catch (error) {
      throw new InputError(path, `has a damaged file meta header (${parserMessage(error)})`, HINT_DAMAGED);
    }
    if (start !== 132) warnings.push(start === 4 ? 'no 128-byte preamble before "DICM"' : 'file meta header without preamble and "DICM"');
  }

  // 2. The transfer syntax: from the meta header, else recognised from the first data element.
  let uid = meta?.string('x00020010')?.replace(/\0/g, '').trim() ?? '';
  let encoding: Encoding | undefined;
  const known = transferSyntax(uid);
  if (known) {
    encoding = known;
  } else {
    encoding = sniffEncoding(bytes, bodyStart);
    if (!encoding) {
      if (!meta) throw new InputError(path, 'is not a DICOM file (no "DICM" marker, and it does not start like a DICOM data set)', HINT_NOT_DICOM);
      if (bodyStart >= bytes.length) encoding = { uid: EXPLICIT_LITTLE_ENDIAN, littleEndian: true, explicitVr: true };
      else throw new InputError(path, 'has a file meta header but no readable data set after it', HINT_DAMAGED);
    }
    if (!meta) warnings.push(`no file meta header: read as ${encoding.explicitVr ? 'Explicit' : 'Implicit'} VR ${encoding.littleEndian ? 'Little' : 'Big'} Endian`);
    else if (!uid) warnings.push(`file meta header has no Transfer Syntax UID: read as ${encoding.uid}`);
    else warnings.push(`unknown transfer syntax ${uid}: header read as ${encoding.explicitVr ? 'explicit' : 'implicit'} VR little endian`);
    uid ||= encoding.uid;
  }

  // 3. The data set bytes (inflated for the deflated syntax).
  let body = bytes;
  if (uid === DEFLATED_EXPLICIT_LITTLE_ENDIAN) {
    try {
      body = new Uint8Array(inflateRawSync(bytes.subarray(bodyStart)));
    } catch (error) {
      throw new InputError(path, `uses Deflated Explicit VR Little Endian but its data could not be inflated (${error instanceof Error ? error.message : String(error)})`, HINT_DAMAGED);
    }
    bodyStart = 0;
  }

  // Writers sometimes get the VR encoding wrong: follow the data, as pydicom does.
  const seen = sniffEncoding(body, bodyStart);
  if (seen && seen.littleEndian === encoding.littleEndian && seen.explicitVr !== encoding.explicitVr) {
    warnings.push(`${uid} says ${encoding.explicitVr ? 'explicit' : 'implicit'} VR but the data set is ${seen.explicitVr ? 'explicit' : 'implicit'} VR: read as found`);
    encoding = { ...encoding, explicitVr: seen.explicitVr };
  }

  // 4. The data set itself, by dicom-parser.
  const parser = encoding.littleEndian ? dicomParser.littleEndianByteArrayParser : dicomParser.bigEndianByteArrayParser;
  const dataSet = new dicomParser.DataSet(parser, body, {});
  dataSet.warnings = [];
  let failure: string | undefined;
  if (bodyStart < body.length) {
    try {
      const stream = new dicomParser.ByteStream(parser, body, bodyStart);
      dataSet.warnings = stream.warnings;
      if (encoding.explicitVr) dicomParser.parseDicomDataSetExplicit(dataSet, stream, body.length);
      else parseImplicit(dataSet, stream, body.length);
    } catch (error) {
      failure = parserMessage(error);
    }
  }

  // 5. What to make of a data set that ends early.
  let truncated: Truncation | undefined;
  const overrun = overrunningElement(dataSet);
  if (overrun && (PIXEL_DATA_TAGS as readonly string[]).includes(overrun.tag)) {
    truncated = { tag: overrun.tag, declared: overrun.length, available: Math.max(0, body.length - overrun.dataOffset) };
    warnings.push(`truncated: ${tagName(overrun.tag)} declares ${overrun.length} bytes but the file holds ${truncated.available}`);
  } else if (overrun) {
    throw new InputError(path, `is truncated: ${tagName(overrun.tag)} declares ${overrun.length} bytes but the file ends ${Math.max(0, body.length - overrun.dataOffset)} bytes into it`, HINT_DAMAGED);
  } else if (failure !== undefined) {
    if (!meta && Object.keys(dataSet.elements).length < 2) throw new InputError(path, `is not a DICOM file (${failure})`, HINT_NOT_DICOM);
    throw new InputError(path, `could not be read as DICOM (${failure})`, HINT_DAMAGED);
  }
  if (!meta && Object.keys(dataSet.elements).length === 0) throw new InputError(path, 'is not a DICOM file (no data elements)', HINT_NOT_DICOM);
  warnings.push(...dataSet.warnings);
  return new ParsedDicom(path, dataSet, meta, uid, warnings, truncated);
}

/** Reads and parses a DICOM file (see `parseDicomBuffer`). */
export async function parseDicomFile(path: string): Promise<ParsedDicom> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(path, 'does not exist', 'Check the path.');
    if (code === 'EISDIR') throw new InputError(path, 'is a folder, not a DICOM file', 'Open the folder as a DICOM series instead.');
    if (code === 'EACCES' || code === 'EPERM') throw new InputError(path, 'cannot be read (permission denied)', 'Give your user read access to the file.');
    if (code === 'ERR_FS_FILE_TOO_LARGE') throw new InputError(path, 'is larger than 2 GiB, more than VoxNAS reads as one DICOM file', 'Split the multi-frame object, or convert it to NIfTI.');
    throw error;
  }
  return parseDicomBuffer(bytes, path);
}
