/**
 * Every transfer syntax the engine knows, as one table: how the data set is encoded (byte order, VR
 * explicitness, deflate) and which codec decodes its pixel data. `parse.ts` reads the first three columns,
 * `pixel-data.ts` the codec column. A UID that is not here is refused with a message that names it.
 */

/**
 * Which decoder in `codecs/registry.ts` handles a transfer syntax's pixel data: `native` is the
 * uncompressed Pixel Data value itself; `raw` is uncompressed data split into fragments (one per frame).
 */
export type CodecId = 'native' | 'raw' | 'rle' | 'jpeg' | 'jpeg-lossless' | 'jpeg-ls' | 'jpeg2000' | 'htj2k';

export interface TransferSyntax {
  uid: string;
  name: string;
  littleEndian: boolean;
  explicitVr: boolean;
  /** The data set after the meta header is a raw deflate stream (PS3.5 A.5). */
  deflated: boolean;
  /** Pixel data is encapsulated (fragments, PS3.5 A.4); `native` pixel data is not. */
  encapsulated: boolean;
  /** Lossy codecs: values differ from the original image (and may differ slightly between decoders). */
  lossy: boolean;
  codec: CodecId;
}

export const IMPLICIT_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const EXPLICIT_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const EXPLICIT_BIG_ENDIAN = '1.2.840.10008.1.2.2';
export const DEFLATED_EXPLICIT_LITTLE_ENDIAN = '1.2.840.10008.1.2.1.99';

type Row = [uid: string, name: string, codec: CodecId, lossy: boolean];

/** Encapsulated (compressed) syntaxes: all explicit VR little endian. */
const ENCAPSULATED: Row[] = [
  ['1.2.840.10008.1.2.1.98', 'Encapsulated Uncompressed Explicit VR Little Endian', 'raw', false],
  ['1.2.840.10008.1.2.5', 'RLE Lossless', 'rle', false],
  ['1.2.840.10008.1.2.4.50', 'JPEG Baseline (Process 1)', 'jpeg', true],
  ['1.2.840.10008.1.2.4.51', 'JPEG Extended (Process 2 & 4)', 'jpeg', true],
  ['1.2.840.10008.1.2.4.57', 'JPEG Lossless, Non-Hierarchical (Process 14)', 'jpeg-lossless', false],
  ['1.2.840.10008.1.2.4.70', 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])', 'jpeg-lossless', false],
  ['1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless', 'jpeg-ls', false],
  ['1.2.840.10008.1.2.4.81', 'JPEG-LS Lossy (Near-Lossless)', 'jpeg-ls', true],
  ['1.2.840.10008.1.2.4.90', 'JPEG 2000 (Lossless Only)', 'jpeg2000', false],
  ['1.2.840.10008.1.2.4.91', 'JPEG 2000', 'jpeg2000', true],
  ['1.2.840.10008.1.2.4.201', 'High-Throughput JPEG 2000 (Lossless Only)', 'htj2k', false],
  ['1.2.840.10008.1.2.4.202', 'High-Throughput JPEG 2000 with RPCL Options (Lossless Only)', 'htj2k', false],
  ['1.2.840.10008.1.2.4.203', 'High-Throughput JPEG 2000', 'htj2k', true],
];

/** Syntaxes that exist but that we cannot decode: named so the refusal is specific. */
export const UNSUPPORTED_SYNTAXES: Record<string, string> = {
  '1.2.840.10008.1.2.4.52': 'JPEG Extended (Process 3 & 5, retired)',
  '1.2.840.10008.1.2.4.53': 'JPEG Spectral Selection (retired)',
  '1.2.840.10008.1.2.4.55': 'JPEG Full Progression (retired)',
  '1.2.840.10008.1.2.4.92': 'JPEG 2000 Part 2 Multi-component (Lossless Only)',
  '1.2.840.10008.1.2.4.93': 'JPEG 2000 Part 2 Multi-component',
  '1.2.840.10008.1.2.4.94': 'JPIP Referenced',
  '1.2.840.10008.1.2.4.95': 'JPIP Referenced Deflate',
  '1.2.840.10008.1.2.4.100': 'MPEG2 Main Profile @ Main Level (video)',
  '1.2.840.10008.1.2.4.101': 'MPEG2 Main Profile @ High Level (video)',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264 (video)',
  '1.2.840.10008.1.2.4.103': 'MPEG-4 AVC/H.264 BD-compatible (video)',
  '1.2.840.10008.1.2.4.104': 'MPEG-4 AVC/H.264 for 2D video',
  '1.2.840.10008.1.2.4.105': 'MPEG-4 AVC/H.264 for 3D video',
  '1.2.840.10008.1.2.4.106': 'MPEG-4 AVC/H.264 Stereo (video)',
  '1.2.840.10008.1.2.4.107': 'HEVC/H.265 Main Profile (video)',
  '1.2.840.10008.1.2.4.108': 'HEVC/H.265 Main 10 Profile (video)',
  '1.2.840.10008.1.2.4.110': 'JPEG XL Lossless',
  '1.2.840.10008.1.2.4.111': 'JPEG XL JPEG Recompression',
  '1.2.840.10008.1.2.4.112': 'JPEG XL',
  '1.2.840.10008.1.2.6.1': 'RFC 2557 MIME Encapsulation (retired)',
  '1.2.840.10008.1.2.6.2': 'XML Encoding (retired)',
};

export const TRANSFER_SYNTAXES: ReadonlyMap<string, TransferSyntax> = new Map(
  [
    { uid: IMPLICIT_LITTLE_ENDIAN, name: 'Implicit VR Little Endian', littleEndian: true, explicitVr: false, deflated: false },
    { uid: EXPLICIT_LITTLE_ENDIAN, name: 'Explicit VR Little Endian', littleEndian: true, explicitVr: true, deflated: false },
    { uid: EXPLICIT_BIG_ENDIAN, name: 'Explicit VR Big Endian', littleEndian: false, explicitVr: true, deflated: false },
    { uid: DEFLATED_EXPLICIT_LITTLE_ENDIAN, name: 'Deflated Explicit VR Little Endian', littleEndian: true, explicitVr: true, deflated: true },
  ]
    .map((syntax): TransferSyntax => ({ ...syntax, encapsulated: false, lossy: false, codec: 'native' }))
    .concat(ENCAPSULATED.map(([uid, name, codec, lossy]) => ({ uid, name, codec, lossy, littleEndian: true, explicitVr: true, deflated: false, encapsulated: true })))
    .map((syntax) => [syntax.uid, syntax]),
);

/** The syntax for a UID, or undefined (see `describeTransferSyntax` for a message). */
export const transferSyntax = (uid: string): TransferSyntax | undefined => TRANSFER_SYNTAXES.get(uid);

/** "JPEG 2000 (1.2.840.10008.1.2.4.90)", or the bare UID when we do not know its name. */
export function describeTransferSyntax(uid: string): string {
  const name = TRANSFER_SYNTAXES.get(uid)?.name ?? UNSUPPORTED_SYNTAXES[uid];
  return name ? `${name} (${uid})` : `transfer syntax ${uid || '(empty)'}`;
}
