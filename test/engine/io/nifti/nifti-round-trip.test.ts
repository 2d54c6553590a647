import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readNifti } from '../../../../engine/io/nifti/read-nifti.ts';
import { encodeNifti, writeNifti } from '../../../../engine/io/nifti/write-nifti.ts';
import { affineRas, type Volume } from '../../../../engine/io/volume.ts';

const folder = mkdtempSync(join(tmpdir(), 'voxnas-nifti-'));
const close = (a: number[][], b: number[][], tolerance = 1e-5) => a.every((row, r) => row.every((value, c) => Math.abs(value - b[r]![c]!) <= tolerance));

/** An oblique, anisotropic, left-handed grid: the hard case for qform/sform writing. */
function obliqueVolume(data: Volume['data'], channels = 1): Volume {
  const angle = (17 * Math.PI) / 180;
  return {
    data,
    dims: [4, 3, 2],
    channels,
    spacing: [0.7, 1.3, 2.5],
    origin: [-12.5, 40.25, 7],
    direction: [
      [Math.cos(angle), Math.sin(angle), 0],
      [-Math.sin(angle), Math.cos(angle), 0],
      [0, 0, -1],
    ],
    sourceDtype: 'float32',
  };
}

describe('NIfTI writer and reader', () => {
  it('round-trips data and geometry exactly, for every voxel type, gzipped or not', async () => {
    const arrays = [
      Uint8Array.from({ length: 24 }, (_v, i) => i * 10),
      Int8Array.from({ length: 24 }, (_v, i) => i - 12),
      Int16Array.from({ length: 24 }, (_v, i) => i * 1000 - 12000),
      Uint16Array.from({ length: 24 }, (_v, i) => i * 2000),
      Int32Array.from({ length: 24 }, (_v, i) => i * 100000 - 1),
      Uint32Array.from({ length: 24 }, (_v, i) => i * 100000),
      Float32Array.from({ length: 24 }, (_v, i) => i / 3),
      Float64Array.from({ length: 24 }, (_v, i) => i / 7),
    ];
    for (const [index, data] of arrays.entries()) {
      const volume = obliqueVolume(data);
      const path = join(folder, `typed-${index}.nii${index % 2 ? '.gz' : ''}`);
      await writeNifti(path, volume);
      const { volume: back, info } = await readNifti(path);
      expect(back.data).toEqual(data);
      expect(back.dims).toEqual(volume.dims);
      expect(info.transform).toBe('sform');
      expect(close(affineRas(back), affineRas(volume))).toBe(true);
    }
  });

  it('writes a qform equal to the sform, so qform-only readers see the same geometry', async () => {
    const bytes = encodeNifti(obliqueVolume(new Float32Array(24)));
    new DataView(bytes.buffer).setInt16(254, 0, true); // sform_code = 0: force the qform path
    const path = join(folder, 'qform-only.nii');
    writeFileSync(path, bytes);
    const { volume, info } = await readNifti(path);
    expect(info.transform).toBe('qform');
    expect(close(affineRas(volume), affineRas(obliqueVolume(new Float32Array(24))))).toBe(true);
  });

  it('keeps channels (4D) and reads big-endian data', async () => {
    const data = Int16Array.from({ length: 48 }, (_v, i) => i * 300 - 7000);
    const path = join(folder, 'four-d.nii.gz');
    await writeNifti(path, obliqueVolume(data, 2));
    const { volume } = await readNifti(path);
    expect([volume.channels, volume.data.length, Array.from(volume.data)]).toEqual([2, 48, Array.from(data)]);

    // The same image written big-endian by hand: swap every header field and voxel we use.
    const little = encodeNifti(obliqueVolume(Int16Array.from({ length: 24 }, (_v, i) => i * 513 - 6000)));
    const big = new Uint8Array(little);
    const swap = (offset: number, size: number) => big.subarray(offset, offset + size).reverse();
    swap(0, 4);
    for (let i = 0; i < 8; i += 1) swap(40 + 2 * i, 2);
    swap(70, 2);
    swap(72, 2);
    for (let i = 0; i < 8; i += 1) swap(76 + 4 * i, 4);
    for (const offset of [108, 112, 116]) swap(offset, 4);
    swap(252, 2);
    swap(254, 2);
    for (let i = 0; i < 18; i += 1) swap(256 + 4 * i, 4);
    for (let i = 0; i < 24; i += 1) swap(352 + 2 * i, 2);
    writeFileSync(join(folder, 'big.nii.gz'), gzipSync(big));
    const fromBig = await readNifti(join(folder, 'big.nii.gz'));
    expect(Array.from(fromBig.volume.data)).toEqual(Array.from({ length: 24 }, (_v, i) => i * 513 - 6000));
  });

  it('refuses truncated, foreign and unsupported files with the file name and what to do', async () => {
    const good = encodeNifti(obliqueVolume(new Float32Array(24)));
    writeFileSync(join(folder, 'truncated.nii'), good.subarray(0, good.length - 10));
    writeFileSync(join(folder, 'text.nii'), 'This is not a valid nii file');
    writeFileSync(join(folder, 'broken.nii.gz'), gzipSync(good).subarray(0, 100));
    const complex = new Uint8Array(good);
    new DataView(complex.buffer).setInt16(70, 32, true);
    writeFileSync(join(folder, 'complex.nii'), complex);
    const messages = await Promise.all(
      ['truncated.nii', 'text.nii', 'broken.nii.gz', 'complex.nii', 'missing.nii'].map((name) =>
        readNifti(join(folder, name)).then(
          () => 'read',
          (error: Error) => error.message.replace(folder, '<dir>'),
        ),
      ),
    );
    expect(messages).toEqual([
      '<dir>/truncated.nii: is truncated: the header promises 24 voxels (96 bytes from offset 352) but the data holds 86 bytes. Copy the file again from its source; if it was being written, wait for the writer to finish.',
      '<dir>/text.nii: is not a NIfTI file (no NIfTI-1 or NIfTI-2 header). Give a .nii, .nii.gz or .hdr/.img file written by a NIfTI tool, or a DICOM folder.',
      expect.stringMatching(/^<dir>\/broken\.nii\.gz: is gzip-compressed but does not decompress \(.+\)\. The file is damaged or incomplete: copy it again from its source\.$/),
      '<dir>/complex.nii: stores voxels as complex64, which VoxNAS does not read. Convert it to an integer or float32 image (e.g. with nibabel or fslmaths -odt float).',
      '<dir>/missing.nii: file not found. Check the path and the file permissions.',
    ]);
  });
});
