/**
 * How a command response that holds binary data (a VolumePayload's voxels) travels over HTTP:
 * the bytes are the body (application/octet-stream) and everything else is JSON in one header,
 *
 *   X-VoxNAS-Payload: encodeURIComponent(JSON of the response without the binary field)
 *   X-VoxNAS-Binary-Field: the name of that field (e.g. "data")
 *
 * so that a volume is never turned into a JSON array of numbers. The header is percent-encoded
 * because header values must be ASCII and a case id need not be. renderer/src/transport/http.ts
 * reads it back into the same object with an ArrayBuffer.
 */
export const PAYLOAD_HEADER = 'x-voxnas-payload';
export const BINARY_FIELD_HEADER = 'x-voxnas-binary-field';

export interface BinaryResponse {
  /** The response without its binary field, as JSON text. */
  json: string;
  field: string;
  bytes: Buffer;
}

function isBinary(value: unknown): value is ArrayBuffer | ArrayBufferView {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

/**
 * Splits a response whose top level has exactly one ArrayBuffer (or typed array) field; null for a
 * plain JSON response. Binary values nested deeper, or more than one, are a programming error:
 * JSON would silently turn them into objects of numbers.
 */
export function splitBinaryResponse(response: unknown): BinaryResponse | null {
  if (typeof response !== 'object' || response === null || Array.isArray(response)) return null;
  const entries = Object.entries(response);
  const binary = entries.filter(([, value]) => isBinary(value));
  if (binary.length === 0) return null;
  if (binary.length > 1) {
    throw new Error(`A response may carry one binary field over HTTP, not ${binary.length} (${binary.map(([name]) => name).join(', ')}).`);
  }
  const [field, value] = binary[0] as [string, ArrayBuffer | ArrayBufferView];
  const bytes = value instanceof ArrayBuffer ? Buffer.from(value) : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const rest = Object.fromEntries(entries.filter(([name]) => name !== field));
  return { json: JSON.stringify(rest), field, bytes };
}
