import type { SourceDtype } from '../volume.ts';

/** NIfTI datatype codes we read and write, with their voxel type and size. */
export const NIFTI_DATATYPES = {
  2: { dtype: 'uint8', bytes: 1 },
  4: { dtype: 'int16', bytes: 2 },
  8: { dtype: 'int32', bytes: 4 },
  16: { dtype: 'float32', bytes: 4 },
  64: { dtype: 'float64', bytes: 8 },
  128: { dtype: 'rgb24', bytes: 3 },
  256: { dtype: 'int8', bytes: 1 },
  512: { dtype: 'uint16', bytes: 2 },
  768: { dtype: 'uint32', bytes: 4 },
} as const satisfies Record<number, { dtype: SourceDtype; bytes: number }>;

export type NiftiDatatypeCode = keyof typeof NIFTI_DATATYPES;

/** Codes that exist in the standard but that VoxNAS does not read, named for the error message. */
export const UNSUPPORTED_DATATYPES: Record<number, string> = {
  1: 'binary (1 bit)',
  32: 'complex64',
  1024: 'int64',
  1280: 'uint64',
  1536: 'float128',
  1792: 'complex128',
  2048: 'complex256',
  2304: 'RGBA32',
};

export function isNiftiDatatypeCode(code: number): code is NiftiDatatypeCode {
  return Object.hasOwn(NIFTI_DATATYPES, code);
}
