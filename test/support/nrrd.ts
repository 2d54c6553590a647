import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** Just enough of NRRD to read the reference label maps that come with dcmqi's test data (test-only). */
export function readNrrd(path: string): { sizes: number[]; origin: number[]; directions: number[][]; values: number[] } {
  const bytes = readFileSync(path);
  const end = bytes.indexOf('\n\n');
  const fields = Object.fromEntries(
    bytes
      .subarray(0, end)
      .toString('latin1')
      .split('\n')
      .filter((line) => line.includes(': '))
      .map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)]),
  );
  if (fields['type'] !== 'short' || fields['endian'] !== 'little' || fields['space'] !== 'left-posterior-superior') throw new Error(`unexpected NRRD ${path}`);
  const vector = (text: string) => text.replace(/[()]/g, '').split(',').map(Number);
  const raw = bytes.subarray(end + 2);
  const data = fields['encoding'] === 'gzip' ? gunzipSync(raw) : raw;
  const shorts = new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  return {
    sizes: fields['sizes']!.split(' ').map(Number),
    origin: vector(fields['space origin']!),
    directions: fields['space directions']!.split(' ').map(vector),
    values: Array.from(shorts),
  };
}
