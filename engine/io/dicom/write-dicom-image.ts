import type { Vec3 } from '../volume.ts';

/**
 * A minimal single-frame DICOM image writer (Explicit VR Little Endian, uncompressed, 16-bit signed
 * or unsigned). Used to build synthetic series for benchmarks and tests (e.g. 300 CT slices); it
 * writes only the attributes VoxNAS reads.
 */
export interface DicomImageSpec {
  rows: number;
  columns: number;
  pixels: Int16Array | Uint16Array;
  /** ImagePositionPatient (LPS mm). */
  position: Vec3;
  /** ImageOrientationPatient: row direction then column direction. */
  orientation: [Vec3, Vec3];
  /** DICOM PixelSpacing: [between rows, between columns]. */
  pixelSpacing: [number, number];
  sliceThickness?: number;
  rescaleSlope?: number;
  rescaleIntercept?: number;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  instanceNumber: number;
  modality?: string;
}

const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
const LONG_VRS = new Set(['OB', 'OW', 'SQ', 'UN', 'UT', 'UC', 'UR']);

class ElementWriter {
  private chunks: Uint8Array[] = [];
  private length = 0;

  element(group: number, element: number, vr: string, value: Uint8Array): this {
    const long = LONG_VRS.has(vr);
    const header = new DataView(new ArrayBuffer(long ? 12 : 8));
    header.setUint16(0, group, true);
    header.setUint16(2, element, true);
    header.setUint8(4, vr.charCodeAt(0));
    header.setUint8(5, vr.charCodeAt(1));
    if (long) header.setUint32(8, value.length, true);
    else header.setUint16(6, value.length, true);
    this.chunks.push(new Uint8Array(header.buffer), value);
    this.length += header.byteLength + value.length;
    return this;
  }

  text(group: number, element: number, vr: string, value: string): this {
    // Even length: UIDs pad with NUL, other strings with a space.
    const padded = value.length % 2 === 0 ? value : value + (vr === 'UI' ? '\0' : ' ');
    return this.element(group, element, vr, new TextEncoder().encode(padded));
  }

  uint16(group: number, element: number, value: number): this {
    const bytes = new Uint8Array(2);
    new DataView(bytes.buffer).setUint16(0, value, true);
    return this.element(group, element, 'US', bytes);
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

const decimalString = (values: number[]) => values.map((value) => Number(value.toPrecision(10)).toString()).join('\\');

/** Encodes one image as a DICOM Part 10 file (preamble, meta header, data set). */
export function encodeDicomImage(spec: DicomImageSpec): Uint8Array {
  const meta = new ElementWriter()
    .element(0x0002, 0x0001, 'OB', new Uint8Array([0, 1]))
    .text(0x0002, 0x0002, 'UI', CT_IMAGE_STORAGE)
    .text(0x0002, 0x0003, 'UI', spec.sopInstanceUid)
    .text(0x0002, 0x0010, 'UI', EXPLICIT_VR_LITTLE_ENDIAN)
    .bytes();
  const groupLength = new Uint8Array(4);
  new DataView(groupLength.buffer).setUint32(0, meta.length, true);
  const signed = spec.pixels instanceof Int16Array;
  const pixelBytes = new Uint8Array(spec.pixels.buffer, spec.pixels.byteOffset, spec.pixels.byteLength);
  const body = new ElementWriter()
    .text(0x0008, 0x0016, 'UI', CT_IMAGE_STORAGE)
    .text(0x0008, 0x0018, 'UI', spec.sopInstanceUid)
    .text(0x0008, 0x0060, 'CS', spec.modality ?? 'CT')
    .text(0x0018, 0x0050, 'DS', decimalString([spec.sliceThickness ?? 1]))
    .text(0x0020, 0x000e, 'UI', spec.seriesInstanceUid)
    .text(0x0020, 0x0013, 'IS', String(spec.instanceNumber))
    .text(0x0020, 0x0032, 'DS', decimalString(spec.position))
    .text(0x0020, 0x0037, 'DS', decimalString([...spec.orientation[0], ...spec.orientation[1]]))
    .uint16(0x0028, 0x0002, 1)
    .text(0x0028, 0x0004, 'CS', 'MONOCHROME2')
    .uint16(0x0028, 0x0010, spec.rows)
    .uint16(0x0028, 0x0011, spec.columns)
    .text(0x0028, 0x0030, 'DS', decimalString(spec.pixelSpacing))
    .uint16(0x0028, 0x0100, 16)
    .uint16(0x0028, 0x0101, 16)
    .uint16(0x0028, 0x0102, 15)
    .uint16(0x0028, 0x0103, signed ? 1 : 0)
    .text(0x0028, 0x1052, 'DS', decimalString([spec.rescaleIntercept ?? 0]))
    .text(0x0028, 0x1053, 'DS', decimalString([spec.rescaleSlope ?? 1]))
    .element(0x7fe0, 0x0010, 'OW', pixelBytes)
    .bytes();
  const header = new ElementWriter().element(0x0002, 0x0000, 'UL', groupLength).bytes();
  const file = new Uint8Array(132 + header.length + meta.length + body.length);
  file.set(new TextEncoder().encode('DICM'), 128);
  file.set(header, 132);
  file.set(meta, 132 + header.length);
  file.set(body, 132 + header.length + meta.length);
  return file;
}
