import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import * as nifti from 'nifti-reader-js';
import { InputError } from '../input-error.ts';
import { geometryFromAffineRas, type Matrix4, type Vec3, type Volume, type VoxelArray } from '../volume.ts';
import { isNiftiDatatypeCode, NIFTI_DATATYPES, UNSUPPORTED_DATATYPES, type NiftiDatatypeCode } from './nifti-types.ts';
import { niftiAffine, type NiftiTransformFields, type TransformSource } from './nifti-transform.ts';

const gunzipAsync = promisify(gunzip);

/** Extra facts about a NIfTI file that the volume does not carry. */
export interface NiftiInfo {
  version: 1 | 2;
  /** Which header transform gave the geometry. */
  transform: TransformSource;
  /** The RAS+ affine exactly as the header gives it (before conversion to LPS geometry). */
  affine: Matrix4;
  qformCode: number;
  sformCode: number;
  sclSlope: number;
  sclInter: number;
  description: string;
}

const GZIP_MAGIC = [0x1f, 0x8b];
const isGzip = (bytes: Uint8Array) => bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];

async function readMaybeGzipped(path: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(path, code === 'ENOENT' ? 'file not found' : `cannot be read (${code ?? String(error)})`, 'Check the path and the file permissions.');
  }
  if (!isGzip(bytes)) return bytes;
  try {
    return await gunzipAsync(bytes);
  } catch (error) {
    throw new InputError(path, `is gzip-compressed but does not decompress (${(error as Error).message})`, 'The file is damaged or incomplete: copy it again from its source.');
  }
}

/** The partner file of a NIfTI pair: x.hdr(.gz) <-> x.img(.gz), keeping the compression suffix if it exists. */
async function pairedFile(path: string, wanted: 'hdr' | 'img'): Promise<string> {
  const stem = path.replace(/\.(hdr|img)(\.gz)?$/i, '');
  const candidates = [`${stem}.${wanted}`, `${stem}.${wanted}.gz`, `${stem}.${wanted.toUpperCase()}`, `${stem}.${wanted.toUpperCase()}.GZ`];
  for (const candidate of candidates) {
    try {
      await readFile(candidate, { flag: 'r' }).then(() => undefined);
      return candidate;
    } catch {
      // try the next spelling
    }
  }
  throw new InputError(path, `is half of a NIfTI .hdr/.img pair but ${stem}.${wanted}(.gz) is missing`, 'Keep the .hdr and .img files together in one folder.');
}

function transformFields(header: nifti.NIFTI1 | nifti.NIFTI2, view: DataView, version: 1 | 2): NiftiTransformFields {
  const little = header.littleEndian;
  const srow = [0, 1, 2].map((row) =>
    [0, 1, 2, 3].map((col) => (version === 1 ? view.getFloat32(280 + (row * 4 + col) * 4, little) : view.getFloat64(400 + (row * 4 + col) * 8, little))),
  ) as NiftiTransformFields['srow'];
  const dims = header.dims.map(Number);
  return {
    qformCode: header.qform_code,
    sformCode: header.sform_code,
    pixdim: [header.pixDims[0] ?? 1, header.pixDims[1] ?? 1, header.pixDims[2] ?? 1, header.pixDims[3] ?? 1],
    quatern: [header.quatern_b, header.quatern_c, header.quatern_d],
    qoffset: [header.qoffset_x, header.qoffset_y, header.qoffset_z],
    srow,
    shape: [Math.max(1, dims[1] ?? 1), Math.max(1, dims[2] ?? 1), Math.max(1, dims[3] ?? 1)],
  };
}

/** Typed view of `count` voxels of `code` at `offset`, converting from big-endian when needed. */
function voxelArray(bytes: Uint8Array, offset: number, count: number, code: NiftiDatatypeCode, littleEndian: boolean): VoxelArray {
  const size = NIFTI_DATATYPES[code].bytes;
  // Copy into a fresh, aligned buffer (the file's data offset need not be aligned). Not bytes.slice():
  // on a Node Buffer that is a view of the whole file.
  const copy = new Uint8Array(count * size);
  copy.set(bytes.subarray(offset, offset + count * size));
  if (!littleEndian && size > 1 && code !== 128) {
    for (let start = 0; start < copy.length; start += size) copy.subarray(start, start + size).reverse();
  }
  const buffer = copy.buffer;
  switch (code) {
    case 2:
    case 128:
      return new Uint8Array(buffer);
    case 256:
      return new Int8Array(buffer);
    case 4:
      return new Int16Array(buffer);
    case 512:
      return new Uint16Array(buffer);
    case 8:
      return new Int32Array(buffer);
    case 768:
      return new Uint32Array(buffer);
    case 16:
      return new Float32Array(buffer);
    case 64:
      return new Float64Array(buffer);
  }
}

/** RGB24 voxels are interleaved per voxel; the volume stores channels one after the other. */
function deinterleaveRgb(rgb: Uint8Array, voxels: number): Uint8Array {
  const planar = new Uint8Array(voxels * 3);
  for (let voxel = 0; voxel < voxels; voxel += 1) {
    planar[voxel] = rgb[voxel * 3]!;
    planar[voxels + voxel] = rgb[voxel * 3 + 1]!;
    planar[2 * voxels + voxel] = rgb[voxel * 3 + 2]!;
  }
  return planar;
}

/** scl_slope/scl_inter as nibabel applies them: a slope of 0 or NaN means "not scaled". */
function applyScaling(data: VoxelArray, slope: number, inter: number): VoxelArray {
  const scaled = Number.isFinite(slope) && slope !== 0 && (slope !== 1 || (Number.isFinite(inter) && inter !== 0));
  if (!scaled) return data;
  const offset = Number.isFinite(inter) ? inter : 0;
  const out = data instanceof Float64Array ? new Float64Array(data.length) : new Float32Array(data.length);
  for (let index = 0; index < data.length; index += 1) out[index] = data[index]! * slope + offset;
  return out;
}

/**
 * Reads a NIfTI-1 or NIfTI-2 image: .nii, .nii.gz, or a .hdr/.img pair (each optionally gzipped).
 * Dimensions beyond the third become channels. Throws InputError for anything unreadable.
 */
export async function readNifti(path: string): Promise<{ volume: Volume; info: NiftiInfo }> {
  const isPair = /\.(hdr|img)(\.gz)?$/i.test(path);
  const headerPath = isPair ? await pairedFile(path, 'hdr') : path;
  const headerBytes = await readMaybeGzipped(headerPath);
  const headerBuffer = headerBytes.buffer.slice(headerBytes.byteOffset, headerBytes.byteOffset + headerBytes.byteLength) as ArrayBuffer;
  if (headerBytes.length < 348 || !nifti.isNIFTI(headerBuffer, true)) {
    throw new InputError(headerPath, 'is not a NIfTI file (no NIfTI-1 or NIfTI-2 header)', 'Give a .nii, .nii.gz or .hdr/.img file written by a NIfTI tool, or a DICOM folder.');
  }
  let header: nifti.NIFTI1 | nifti.NIFTI2;
  try {
    header = nifti.readHeader(headerBuffer, true);
  } catch (error) {
    throw new InputError(headerPath, `has a NIfTI header that cannot be parsed (${(error as Error).message})`, 'The file is damaged: export it again.');
  }
  const version = nifti.isNIFTI2(headerBuffer, true) ? 2 : 1;
  const code = header.datatypeCode;
  if (!isNiftiDatatypeCode(code)) {
    const name = UNSUPPORTED_DATATYPES[code] ?? `code ${code}`;
    throw new InputError(headerPath, `stores voxels as ${name}, which VoxNAS does not read`, 'Convert it to an integer or float32 image (e.g. with nibabel or fslmaths -odt float).');
  }
  const dims = header.dims.map(Number);
  const rank = dims[0] ?? 0;
  if (rank < 1 || rank > 7 || dims.slice(1, rank + 1).some((size) => !Number.isInteger(size) || size < 1)) {
    throw new InputError(headerPath, `has invalid dimensions ${JSON.stringify(dims.slice(0, Math.max(1, Math.min(rank, 7)) + 1))}`, 'The header is damaged: export the image again.');
  }
  const shape = [1, 2, 3].map((axis) => (axis <= rank ? dims[axis]! : 1)) as Vec3;
  const channelsFromDims = dims.slice(4, rank + 1).reduce((product, size) => product * size, 1);
  const voxels = shape[0] * shape[1] * shape[2];
  const storedValues = voxels * channelsFromDims;
  const bytesPerValue = NIFTI_DATATYPES[code].bytes;

  const imageBytes = isPair ? await readMaybeGzipped(await pairedFile(path, 'img')) : headerBytes;
  const offset = isPair ? Math.max(0, Number(header.vox_offset) || 0) : Number(header.vox_offset);
  const needed = offset + storedValues * bytesPerValue;
  if (!Number.isFinite(needed) || imageBytes.length < needed) {
    throw new InputError(
      isPair ? path : headerPath,
      `is truncated: the header promises ${storedValues} voxels (${storedValues * bytesPerValue} bytes from offset ${offset}) but the data holds ${Math.max(0, imageBytes.length - offset)} bytes`,
      'Copy the file again from its source; if it was being written, wait for the writer to finish.',
    );
  }
  let data = voxelArray(imageBytes, offset, storedValues, code, header.littleEndian);
  let channels = channelsFromDims;
  if (code === 128) {
    data = deinterleaveRgb(data as Uint8Array, storedValues);
    channels *= 3;
  }
  data = applyScaling(data, header.scl_slope, header.scl_inter);
  const view = new DataView(headerBuffer);
  const { affine, source } = niftiAffine(transformFields(header, view, version));
  const volume: Volume = { data, dims: shape, channels, sourceDtype: NIFTI_DATATYPES[code].dtype, ...geometryFromAffineRas(affine) };
  return {
    volume,
    info: {
      version,
      transform: source,
      affine,
      qformCode: header.qform_code,
      sformCode: header.sform_code,
      sclSlope: header.scl_slope,
      sclInter: header.scl_inter,
      description: header.description,
    },
  };
}
