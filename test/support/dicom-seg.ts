/**
 * Builds small DICOM segmentations (Explicit VR Little Endian) for tests of cases the shared data
 * lacks (overlapping segments). Only the attributes VoxNAS reads are written.
 */
type Element = { tag: [number, number]; vr: string; value: Uint8Array | Element[][] };

const LONG_VRS = new Set(['OB', 'OW', 'SQ', 'UN', 'UT']);

const text = (value: string, vr: string) => new TextEncoder().encode(value.length % 2 ? value + (vr === 'UI' ? '\0' : ' ') : value);
const us = (value: number) => new Uint8Array(new Uint16Array([value]).buffer);
export const str = (group: number, element: number, vr: string, value: string): Element => ({ tag: [group, element], vr, value: text(value, vr) });
export const ushort = (group: number, element: number, value: number): Element => ({ tag: [group, element], vr: 'US', value: us(value) });
export const seq = (group: number, element: number, items: Element[][]): Element => ({ tag: [group, element], vr: 'SQ', value: items });

function encode(elements: Element[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const element of [...elements].sort((a, b) => a.tag[0] - b.tag[0] || a.tag[1] - b.tag[1])) {
    const value = Array.isArray(element.value) ? encodeItems(element.value) : element.value;
    const long = LONG_VRS.has(element.vr);
    const header = new DataView(new ArrayBuffer(long ? 12 : 8));
    header.setUint16(0, element.tag[0], true);
    header.setUint16(2, element.tag[1], true);
    header.setUint8(4, element.vr.charCodeAt(0));
    header.setUint8(5, element.vr.charCodeAt(1));
    if (long) header.setUint32(8, value.length, true);
    else header.setUint16(6, value.length, true);
    parts.push(new Uint8Array(header.buffer), value);
  }
  return concat(parts);
}

function encodeItems(items: Element[][]): Uint8Array {
  return concat(
    items.flatMap((item) => {
      const body = encode(item);
      const header = new DataView(new ArrayBuffer(8));
      header.setUint16(0, 0xfffe, true);
      header.setUint16(2, 0xe000, true);
      header.setUint32(4, body.length, true);
      return [new Uint8Array(header.buffer), body];
    }),
  );
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export interface SegFrame {
  segment: number;
  /** ImagePositionPatient, or null to leave it out. */
  position: [number, number, number] | null;
  /** rows*columns values 0/1. */
  mask: number[];
}

/** A BINARY (1-bit, packed across frames) Segmentation Storage file. */
export function encodeBinarySeg(rows: number, columns: number, segments: string[], frames: SegFrame[]): Uint8Array {
  const bits = frames.flatMap((frame) => frame.mask);
  const packed = new Uint8Array(Math.ceil(bits.length / 8) + (Math.ceil(bits.length / 8) % 2));
  bits.forEach((bit, index) => (packed[index >> 3]! |= bit ? 1 << (index & 7) : 0));
  const dataSet = encode([
    str(0x0008, 0x0016, 'UI', '1.2.840.10008.5.1.4.1.1.66.4'),
    str(0x0008, 0x0018, 'UI', '1.2.826.0.1.3680043.8.498.99'),
    str(0x0008, 0x0060, 'CS', 'SEG'),
    str(0x0020, 0x000e, 'UI', '1.2.826.0.1.3680043.8.498.98'),
    ushort(0x0028, 0x0002, 1),
    str(0x0028, 0x0004, 'CS', 'MONOCHROME2'),
    str(0x0028, 0x0008, 'IS', String(frames.length)),
    ushort(0x0028, 0x0010, rows),
    ushort(0x0028, 0x0011, columns),
    ushort(0x0028, 0x0100, 1),
    ushort(0x0028, 0x0101, 1),
    ushort(0x0028, 0x0102, 0),
    ushort(0x0028, 0x0103, 0),
    str(0x0062, 0x0001, 'CS', 'BINARY'),
    seq(0x0062, 0x0002, segments.map((label, index) => [ushort(0x0062, 0x0004, index + 1), str(0x0062, 0x0005, 'LO', label)])),
    seq(0x5200, 0x9229, [
      [
        seq(0x0020, 0x9116, [[str(0x0020, 0x0037, 'DS', '1\\0\\0\\0\\1\\0')]]),
        seq(0x0028, 0x9110, [[str(0x0028, 0x0030, 'DS', '1\\1'), str(0x0018, 0x0050, 'DS', '1')]]),
      ],
    ]),
    seq(
      0x5200,
      0x9230,
      frames.map((frame) => [
        ...(frame.position ? [seq(0x0020, 0x9113, [[str(0x0020, 0x0032, 'DS', frame.position.join('\\'))]])] : []),
        seq(0x0062, 0x000a, [[ushort(0x0062, 0x000b, frame.segment)]]),
      ]),
    ),
    { tag: [0x7fe0, 0x0010], vr: 'OB', value: packed },
  ]);
  const meta = encode([str(0x0002, 0x0002, 'UI', '1.2.840.10008.5.1.4.1.1.66.4'), str(0x0002, 0x0003, 'UI', '1.2.826.0.1.3680043.8.498.99'), str(0x0002, 0x0010, 'UI', '1.2.840.10008.1.2.1')]);
  const groupLength = encode([{ tag: [0x0002, 0x0000], vr: 'UL', value: new Uint8Array(new Uint32Array([meta.length]).buffer) }]);
  return concat([new Uint8Array(128), new TextEncoder().encode('DICM'), groupLength, meta, dataSet]);
}
