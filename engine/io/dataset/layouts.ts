import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DatasetLayout } from '../../api/dataset.ts';
import { InputError } from '../input-error.ts';
import { readDatasetJson } from './dataset-files.ts';
import { readFolderPairLayout } from './folder-pair.ts';
import type { DatasetListing } from './listing.ts';
import { readMsdLayout } from './msd.ts';
import { readNnunetLayout } from './nnunet.ts';

/** What a layout reader sees of a folder to decide whether the folder is its layout. */
export interface FolderClues {
  /** Parsed dataset.json, or null when there is none. */
  datasetJson: Record<string, unknown> | null;
  hasFolder(name: string): boolean;
}

export interface LayoutReader {
  description: string;
  matches(clues: FolderClues): boolean;
  read(folder: string, clues: FolderClues): Promise<DatasetListing>;
}

/** The layouts VoxNAS reads, in the order they are tried (the first that matches wins). */
export const LAYOUTS = {
  'nnunet-v2': {
    description: 'nnU-Net v2 raw: dataset.json with channel_names and file_ending; imagesTr/CASE_0000.nii.gz, labelsTr/CASE.nii.gz',
    matches: ({ datasetJson }) => datasetJson !== null && ('channel_names' in datasetJson || 'file_ending' in datasetJson),
    read: (folder, clues) => readNnunetLayout(folder, clues.datasetJson!),
  },
  msd: {
    description: 'Medical Segmentation Decathlon: dataset.json with modality, labels and training; imagesTr/, labelsTr/, imagesTs/',
    matches: ({ datasetJson }) => datasetJson !== null && ('training' in datasetJson || 'modality' in datasetJson),
    read: (folder, clues) => readMsdLayout(folder, clues.datasetJson!),
  },
  'folder-pair': {
    description: 'two folders, images/ and labels/, with files matched by name',
    matches: ({ datasetJson, hasFolder }) => datasetJson === null && hasFolder('images') && hasFolder('labels'),
    read: (folder) => readFolderPairLayout(folder),
  },
} satisfies Record<DatasetLayout, LayoutReader>;

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Which layout a folder holds, with the clues that decided it; InputError when none. */
export async function detectLayout(folder: string): Promise<{ layout: DatasetLayout; clues: FolderClues }> {
  if (!(await isFolder(folder))) {
    throw new InputError(folder, 'is not a readable folder', 'Give the folder that holds the dataset (dataset.json, or images/ and labels/).');
  }
  const datasetJson = await readDatasetJson(folder);
  const subfolders = new Set<string>();
  for (const name of ['images', 'labels']) if (await isFolder(join(folder, name))) subfolders.add(name);
  const clues: FolderClues = { datasetJson, hasFolder: (name) => subfolders.has(name) };
  const layout = (Object.keys(LAYOUTS) as DatasetLayout[]).find((name) => LAYOUTS[name].matches(clues));
  if (layout === undefined) {
    const problem = datasetJson === null ? 'holds no dataset.json and no images/ and labels/ folders' : 'has a dataset.json that is neither MSD (training, modality) nor nnU-Net v2 (channel_names, file_ending)';
    throw new InputError(folder, problem, `VoxNAS reads: ${Object.values(LAYOUTS).map((reader) => reader.description).join('; ')}.`);
  }
  return { layout, clues };
}

/** Lists a dataset folder's cases in whichever layout it has; no voxel is read. */
export async function readDatasetLayout(folder: string): Promise<DatasetListing> {
  const absolute = resolve(folder);
  const { layout, clues } = await detectLayout(absolute);
  return LAYOUTS[layout].read(absolute, clues);
}
