import type { DatasetLayout } from './dataset.ts';

export type Severity = 'error' | 'warning';

/**
 * Every finding of the dataset integrity check: a stable code (tests, UI and other tools match on it),
 * its severity and what the user can do. Errors block an import (unless forced); warnings do not.
 */
export const FINDING_CODES = {
  'dataset-json-invalid': { severity: 'error', hint: 'Fix the named field of dataset.json (MSD: modality, labels, training; nnU-Net v2: channel_names, labels, numTraining, file_ending).' },
  'labels-invalid': { severity: 'error', hint: 'Declare labels as integer values 0, 1, 2, ... with names; 0 is the background.' },
  'labels-not-consecutive': { severity: 'error', hint: 'Renumber the labels to 0, 1, 2, ... without gaps (nnU-Net requires it), in the files and in dataset.json.' },
  'labels-regions-unsupported': { severity: 'error', hint: 'Region-based labels (nnU-Net label lists) are not supported: declare one integer value per class.' },
  'case-count-mismatch': { severity: 'error', hint: 'Make numTraining equal the number of training cases, or add the missing cases.' },
  'duplicate-case': { severity: 'error', hint: 'Give every case its own id (file name); remove or rename the repeated entry.' },
  'duplicate-file': { severity: 'error', hint: 'Each file belongs to one case: fix the entries that point at the same file.' },
  'duplicate-content': { severity: 'warning', hint: 'Two cases have byte-identical images: remove the copy, or training and validation may share a case.' },
  'missing-file': { severity: 'error', hint: 'Add the file, or remove the case from the dataset.' },
  'missing-label': { severity: 'error', hint: 'Add the label file for this case, or move the image out of the training images.' },
  'missing-image': { severity: 'error', hint: 'Add the image for this label, or remove the label file.' },
  'unreadable-file': { severity: 'error', hint: 'Replace the file with a readable NIfTI (.nii, .nii.gz) or DICOM copy from its source.' },
  'channel-count-mismatch': { severity: 'error', hint: 'Every case needs exactly the declared channels: fix the image files or the channel list in dataset.json.' },
  'dims-mismatch': { severity: 'error', hint: 'Image channels and label must have the same voxel grid: resample the label onto the image (or re-export both).' },
  'spacing-mismatch': { severity: 'error', hint: 'Image channels and label must have the same voxel spacing: resample one onto the other.' },
  'origin-mismatch': { severity: 'warning', hint: 'The files are not in the same place in space: check that image and label belong together (training uses the voxel grid).' },
  'direction-mismatch': { severity: 'warning', hint: 'The files have different orientations: check that image and label belong together (training uses the voxel grid).' },
  'label-multichannel': { severity: 'error', hint: 'A label file holds one 3D volume of integer class values: save it without extra channels.' },
  'label-value-undeclared': { severity: 'error', hint: 'Declare the value in dataset.json labels, or fix the label file.' },
  'label-value-non-integer': { severity: 'error', hint: 'Label voxels must be whole class numbers: round the label file (nearest-neighbour, not linear, when resampling).' },
  'label-empty': { severity: 'warning', hint: 'The label has no foreground: check that it is the right file (empty cases teach the network little).' },
  'image-non-finite': { severity: 'error', hint: 'Replace NaN and infinite voxels with a real value (for example the image minimum).' },
  'image-constant': { severity: 'warning', hint: 'Every voxel of this channel has the same value: check that the file is the right image.' },
  'unlisted-file': { severity: 'warning', hint: 'The file is not part of any case: add it to the dataset or move it out of the folder.' },
} as const satisfies Record<string, { severity: Severity; hint: string }>;

export type FindingCode = keyof typeof FINDING_CODES;

export interface IntegrityFinding {
  severity: Severity;
  /** Case id, or null for a finding about the whole dataset. */
  case: string | null;
  /** File relative to the dataset folder ('/' separators), or null. */
  file: string | null;
  code: FindingCode;
  /** What is wrong, in one sentence with the numbers. */
  message: string;
  /** What to do about it. */
  hint: string;
}

/** Builds a finding with its code's severity and hint. */
export function makeFinding(code: FindingCode, where: { case?: string | null; file?: string | null }, message: string): IntegrityFinding {
  const { severity, hint } = FINDING_CODES[code];
  return { severity, case: where.case ?? null, file: where.file ?? null, code, message, hint };
}

export interface IntegrityReport {
  folder: string;
  layout: DatasetLayout;
  /** Cases listed by the layout (after dropping repeated ids). */
  caseCount: number;
  /** Cases whose files were all read. */
  readCases: number;
  /** Channel count per case that the check expects (declared, or taken from the first readable case). */
  channels: number | null;
  /** Integer values found in the label files, ascending. */
  labelValues: number[];
  errors: number;
  warnings: number;
  /** Ordered: dataset-level findings first, then by case in listing order. */
  findings: IntegrityFinding[];
}
