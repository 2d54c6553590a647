import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { writeFileAtomic } from '../../runtime/atomic-write.ts';
import { affineRas, type Volume, type VoxelArray } from '../volume.ts';
import { affineToQform } from './nifti-transform.ts';

const gzipAsync = promisify(gzip);

const HEADER_BYTES = 348;
/** Header plus the 4-byte extension flag; the data starts here. */
const DATA_OFFSET = 352;

/** NIfTI datatype code and bits per voxel of each typed array we write. */
function datatypeOf(data: VoxelArray): { code: number; bits: number } {
  if (data instanceof Uint8Array) return { code: 2, bits: 8 };
  if (data instanceof Int8Array) return { code: 256, bits: 8 };
  if (data instanceof Int16Array) return { code: 4, bits: 16 };
  if (data instanceof Uint16Array) return { code: 512, bits: 16 };
  if (data instanceof Int32Array) return { code: 8, bits: 32 };
  if (data instanceof Uint32Array) return { code: 768, bits: 32 };
  if (data instanceof Float32Array) return { code: 16, bits: 32 };
  return { code: 64, bits: 64 };
}

/**
 * Encodes a volume as an uncompressed little-endian NIfTI-1 file (.nii bytes). The geometry goes
 * into both the sform (the full affine, code 1 = scanner) and the qform (its rigid part), so any
 * reader finds it; VoxNAS and nibabel read the sform back exactly (float32 precision).
 */
export function encodeNifti(volume: Volume, description = 'VoxNAS'): Uint8Array {
  const { code, bits } = datatypeOf(volume.data);
  const bytes = new Uint8Array(DATA_OFFSET + volume.data.byteLength);
  const view = new DataView(bytes.buffer);
  const little = true;
  view.setInt32(0, HEADER_BYTES, little);
  const rank = volume.channels > 1 ? 4 : 3;
  const dims = [rank, volume.dims[0], volume.dims[1], volume.dims[2], volume.channels, 1, 1, 1];
  dims.forEach((value, index) => view.setInt16(40 + 2 * index, value, little));
  view.setInt16(70, code, little);
  view.setInt16(72, bits, little);
  const affine = affineRas(volume);
  const qform = affineToQform(affine);
  const pixdim = [qform.pixdim[0], volume.spacing[0], volume.spacing[1], volume.spacing[2], 1, 1, 1, 1];
  pixdim.forEach((value, index) => view.setFloat32(76 + 4 * index, value, little));
  view.setFloat32(108, DATA_OFFSET, little);
  view.setFloat32(112, 1, little); // scl_slope: values are stored as they are
  view.setFloat32(116, 0, little); // scl_inter
  view.setUint8(123, 2 | 8); // xyzt_units: mm, seconds
  new TextEncoder().encodeInto(description.slice(0, 79), bytes.subarray(148, 228));
  view.setInt16(252, 1, little); // qform_code: scanner
  view.setInt16(254, 1, little); // sform_code: scanner
  qform.quatern.forEach((value, index) => view.setFloat32(256 + 4 * index, value, little));
  qform.qoffset.forEach((value, index) => view.setFloat32(268 + 4 * index, value, little));
  for (let row = 0; row < 3; row += 1) {
    for (let col = 0; col < 4; col += 1) view.setFloat32(280 + (row * 4 + col) * 4, affine[row]![col]!, little);
  }
  bytes.set(new TextEncoder().encode('n+1\0'), 344);
  // Bytes 348..351: extension flag 0 (no extensions). Data: our arrays are little-endian on every supported platform.
  bytes.set(new Uint8Array(volume.data.buffer, volume.data.byteOffset, volume.data.byteLength), DATA_OFFSET);
  return bytes;
}

/** Writes a volume as NIfTI-1 (gzipped when the path ends in .gz), atomically. */
export async function writeNifti(path: string, volume: Volume, description?: string): Promise<void> {
  const encoded = encodeNifti(volume, description);
  await writeFileAtomic(path, path.endsWith('.gz') ? await gzipAsync(encoded) : encoded);
}
