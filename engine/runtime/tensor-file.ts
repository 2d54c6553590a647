/**
 * A small binary container for named float32 arrays (weights, optimizer state) with a JSON header:
 *   bytes 0..3   "VXTF"
 *   bytes 4..7   header length H (uint32 little-endian)
 *   bytes 8..    H bytes of UTF-8 JSON: { schemaVersion, meta, tensors: [{ name, shape, offset }] }
 *   then zero padding to a multiple of 8, then the arrays (float32 little-endian), each at `offset`
 *   bytes from the start of the data section.
 * Readable without VoxNAS (the header says everything), and fast to load (no parsing of numbers).
 */
const MAGIC = 'VXTF';

export interface NamedArray {
  shape: number[];
  data: Float32Array;
}

interface Header {
  schemaVersion: 1;
  meta: unknown;
  tensors: { name: string; shape: number[]; offset: number }[];
}

export function encodeTensorFile(tensors: Map<string, NamedArray>, meta: unknown = {}): Uint8Array {
  let offset = 0;
  const entries: Header['tensors'] = [];
  for (const [name, tensor] of tensors) {
    const size = tensor.shape.reduce((a, b) => a * b, 1);
    if (size !== tensor.data.length) throw new Error(`tensor ${name}: shape [${tensor.shape.join(', ')}] holds ${size} values, data has ${tensor.data.length}`);
    entries.push({ name, shape: tensor.shape, offset });
    offset += tensor.data.byteLength;
  }
  const header = new TextEncoder().encode(JSON.stringify({ schemaVersion: 1, meta, tensors: entries } satisfies Header));
  const dataStart = Math.ceil((8 + header.length) / 8) * 8;
  const bytes = new Uint8Array(dataStart + offset);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(bytes.buffer).setUint32(4, header.length, true);
  bytes.set(header, 8);
  let position = dataStart;
  for (const tensor of tensors.values()) {
    bytes.set(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength), position);
    position += tensor.data.byteLength;
  }
  return bytes;
}

/** Decodes a tensor file; throws with a reason when the bytes are not one (the caller names the file). */
export function decodeTensorFile(bytes: Uint8Array): { tensors: Map<string, NamedArray>; meta: unknown } {
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) throw new Error('not a VoxNAS tensor file (no VXTF marker)');
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
  if (8 + headerLength > bytes.length) throw new Error('truncated header');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Header;
  const dataStart = Math.ceil((8 + headerLength) / 8) * 8;
  const tensors = new Map<string, NamedArray>();
  for (const entry of header.tensors) {
    const size = entry.shape.reduce((a, b) => a * b, 1);
    const start = dataStart + entry.offset;
    if (start + size * 4 > bytes.length) throw new Error(`truncated data for ${entry.name}`);
    // Copy: the result must not alias a file buffer that may be reused.
    const data = new Float32Array(size);
    new Uint8Array(data.buffer).set(bytes.subarray(start, start + size * 4));
    tensors.set(entry.name, { shape: entry.shape, data });
  }
  return { tensors, meta: header.meta };
}
