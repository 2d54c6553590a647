import { basename } from 'node:path';
import type { DatasetCase } from '../../api/dataset.ts';
import { makeFinding, type IntegrityFinding } from '../../api/integrity.ts';
import { isRecord } from '../../api/validation.ts';
import { listEntries, relativeToFolder, volumeStem } from './dataset-files.ts';
import { channelNames, checkLabelDeclaration, finishListing, type DatasetListing } from './listing.ts';

const FOLDERS = ['imagesTr', 'labelsTr', 'imagesTs'];

/** MSD labels: {"0": "background", "1": "Anterior"}. */
function msdLabels(value: unknown, findings: IntegrityFinding[]): Record<string, string> {
  if (!isRecord(value) || Object.values(value).some((name) => typeof name !== 'string')) {
    findings.push(makeFinding('dataset-json-invalid', { file: 'dataset.json' }, 'labels: expected an object {"0": "background", "1": "<name>", ...}'));
    return { 0: 'background' };
  }
  const labels = value as Record<string, string>;
  checkLabelDeclaration(labels, findings);
  return labels;
}

function trainingCases(folder: string, value: unknown, findings: IntegrityFinding[]): DatasetCase[] {
  if (!Array.isArray(value)) {
    findings.push(makeFinding('dataset-json-invalid', { file: 'dataset.json' }, 'training: expected a list of {"image": ..., "label": ...}'));
    return [];
  }
  return value.flatMap((entry, index): DatasetCase[] => {
    if (!isRecord(entry) || typeof entry['image'] !== 'string') {
      findings.push(makeFinding('dataset-json-invalid', { file: 'dataset.json' }, `training[${index}]: expected {"image": "<path>", "label": "<path>"}`));
      return [];
    }
    const image = relativeToFolder(folder, entry['image']);
    const label = typeof entry['label'] === 'string' ? relativeToFolder(folder, entry['label']) : null;
    return [{ id: volumeStem(basename(image)), split: 'training', images: [image], label }];
  });
}

function testCases(folder: string, value: unknown, findings: IntegrityFinding[]): DatasetCase[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    findings.push(makeFinding('dataset-json-invalid', { file: 'dataset.json' }, 'test: expected a list of image paths'));
    return [];
  }
  return value.flatMap((entry, index): DatasetCase[] => {
    // nnU-Net v1 writes test entries as plain paths; some tools write {"image": path}.
    const path = typeof entry === 'string' ? entry : isRecord(entry) && typeof entry['image'] === 'string' ? entry['image'] : null;
    if (path === null) {
      findings.push(makeFinding('dataset-json-invalid', { file: 'dataset.json' }, `test[${index}]: expected an image path`));
      return [];
    }
    const image = relativeToFolder(folder, path);
    return [{ id: volumeStem(basename(image)), split: 'test', images: [image], label: null }];
  });
}

/**
 * Medical Segmentation Decathlon: dataset.json with modality, labels and training
 * [{image, label}] (+ test [path]); multi-channel images are single 4D files.
 */
export async function readMsdLayout(folder: string, json: Record<string, unknown>): Promise<DatasetListing> {
  const findings: IntegrityFinding[] = [];
  const channels = channelNames(json['modality'], 'modality', findings);
  const labels = msdLabels(json['labels'], findings);
  const training = trainingCases(folder, json['training'], findings);
  const declared = json['numTraining'];
  if (typeof declared === 'number' && declared !== training.length) {
    findings.push(makeFinding('case-count-mismatch', { file: 'dataset.json' }, `numTraining is ${declared} but training lists ${training.length} cases`));
  }
  const scanned = (await Promise.all(FOLDERS.map((sub) => listEntries(folder, sub)))).flat();
  return finishListing({
    folder,
    layout: 'msd',
    name: typeof json['name'] === 'string' ? json['name'] : basename(folder),
    description: typeof json['description'] === 'string' ? json['description'] : '',
    channels,
    labels,
    cases: [...training, ...testCases(folder, json['test'], findings)],
    findings,
    scanned,
  });
}
