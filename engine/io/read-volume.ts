import { open, stat } from 'node:fs/promises';
import { InputError } from './input-error.ts';
import { readNifti } from './nifti/read-nifti.ts';
import { readDicomWithWarnings, type DicomReadOptions } from './dicom/read-dicom.ts';
import type { Volume } from './volume.ts';

export type VolumeFormat = 'nifti' | 'dicom';

const NIFTI_NAME = /\.(nii|hdr|img)(\.gz)?$/i;

/** Reads the first bytes of a file to tell NIfTI from DICOM when the name does not say. */
async function sniff(path: string): Promise<VolumeFormat | null> {
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(540);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const bytes = head.subarray(0, bytesRead);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) return NIFTI_NAME.test(path.replace(/\.gz$/i, '')) ? 'nifti' : 'dicom';
    const ascii = (start: number, length: number) => String.fromCharCode(...bytes.subarray(start, start + length));
    if (ascii(128, 4) === 'DICM') return 'dicom';
    if (['n+1', 'ni1'].includes(ascii(344, 3)) || ['n+2', 'ni2'].includes(ascii(4, 3))) return 'nifti';
    return null;
  } finally {
    await handle.close();
  }
}

export type ReadVolumeOptions = DicomReadOptions;

/**
 * Reads any image VoxNAS understands: a NIfTI file (or .hdr/.img pair), a DICOM file, a DICOM
 * series folder, or a DICOMDIR. Throws InputError (file, problem, what to do) for anything else.
 */
export interface ReadVolumeResult {
  volume: Volume;
  format: VolumeFormat;
  /** Things the user should know that did not stop the read (e.g. unevenly spaced DICOM slices). */
  warnings: string[];
}

export async function readVolume(path: string, options: ReadVolumeOptions = {}): Promise<ReadVolumeResult> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new InputError(path, 'does not exist', 'Check the path (for DICOM, give the folder that holds the series).');
  }
  const isNifti = !info.isDirectory() && (NIFTI_NAME.test(path) || (await sniff(path)) === 'nifti');
  if (isNifti) return { volume: (await readNifti(path)).volume, format: 'nifti', warnings: [] };
  // Folders, DICOMDIRs, and files without a DICM marker (old DICOM without preamble): the DICOM reader decides.
  return { ...(await readDicomWithWarnings(path, options)), format: 'dicom' };
}
