import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeNifti } from '../../engine/io/nifti/write-nifti.ts';
import type { Direction, Vec3, Volume, VoxelArray } from '../../engine/io/volume.ts';

export const IDENTITY: Direction = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
];

/** A small volume; geometry defaults to 1 mm voxels at the origin, identity directions. */
export function volume(dims: Vec3, data: VoxelArray, geometry: Partial<Pick<Volume, 'spacing' | 'origin' | 'direction' | 'channels'>> = {}): Volume {
  return {
    data,
    dims,
    spacing: geometry.spacing ?? [1, 1, 1],
    origin: geometry.origin ?? [0, 0, 0],
    direction: geometry.direction ?? IDENTITY,
    channels: geometry.channels ?? 1,
    sourceDtype: data instanceof Uint8Array ? 'uint8' : data instanceof Int16Array ? 'int16' : data instanceof Float64Array ? 'float64' : 'float32',
  };
}

/** What a fixture file holds: text (JSON or garbage), raw bytes, or a volume written as NIfTI. */
export type FixtureFile = string | Uint8Array | Volume;

const isVolume = (value: FixtureFile): value is Volume => typeof value === 'object' && 'dims' in value;

/** Writes the files (paths relative to the folder) into `folder`; objects become JSON when the path ends in .json. */
export async function writeFixture(folder: string, files: Record<string, FixtureFile | object>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const target = join(folder, path);
    await mkdir(dirname(target), { recursive: true });
    if (typeof content === 'string' || content instanceof Uint8Array) await writeFile(target, content);
    else if (isVolume(content as FixtureFile)) await writeNifti(target, content as Volume);
    else await writeFile(target, JSON.stringify(content, null, 2));
  }
}

/** A fresh temporary folder for one test, removed by the returned cleanup. */
export async function temporaryFolder(prefix = 'voxnas-dataset-'): Promise<{ folder: string; cleanup: () => Promise<void> }> {
  const folder = await mkdtemp(join(tmpdir(), prefix));
  return { folder, cleanup: () => rm(folder, { recursive: true, force: true }) };
}

/** An MSD dataset.json for the given case ids (images and labels in imagesTr/labelsTr, .nii.gz). */
export function msdJson(ids: string[], extra: Record<string, unknown> = {}): object {
  return {
    name: 'Tiny',
    description: 'a test dataset',
    modality: { 0: 'MRI' },
    labels: { 0: 'background', 1: 'one', 2: 'two' },
    numTraining: ids.length,
    training: ids.map((id) => ({ image: `./imagesTr/${id}.nii.gz`, label: `./labelsTr/${id}.nii.gz` })),
    test: [],
    ...extra,
  };
}
