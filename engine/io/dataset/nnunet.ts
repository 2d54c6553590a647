import { basename } from 'node:path';
import type { CaseSplit, DatasetCase } from '../../api/dataset.ts';
import { makeFinding, type IntegrityFinding } from '../../api/integrity.ts';
import { isRecord, isStringArray } from '../../api/validation.ts';
import { listEntries, relativeToFolder, type FolderEntry } from './dataset-files.ts';
import { channelNames, checkLabelDeclaration, finishListing, type DatasetListing } from './listing.ts';

/** nnU-Net v2 labels are name -> value; a list of values is a region (several classes merged). */
function nnunetLabels(value: unknown, json: Record<string, unknown>, findings: IntegrityFinding[]): Record<string, string> {
  if (!isRecord(value)) {
    findings.push(makeFinding('dataset-json-invalid', { file: 'dataset.json' }, 'labels: expected an object {"background": 0, "<name>": 1, ...}'));
    return { 0: 'background' };
  }
  const regions = Object.entries(value).filter(([, label]) => Array.isArray(label));
  if (regions.length > 0 || json['regions_class_order'] !== undefined) {
    const names = regions.map(([name]) => name);
    const what = names.length > 0 ? `labels ${names.join(', ')} are regions (lists of values)` : 'regions_class_order asks for region-based training';
    findings.push(makeFinding('labels-regions-unsupported', { file: 'dataset.json' }, `${what}; VoxNAS trains one class per label value`));
  }
  const labels: Record<string, string> = {};
  for (const [name, label] of Object.entries(value)) {
    if (Array.isArray(label)) continue;
    if (typeof label !== 'number' || !Number.isInteger(label) || label < 0) {
      findings.push(makeFinding('labels-invalid', { file: 'dataset.json' }, `labels.${name}: ${JSON.stringify(label)} is not a label value (a non-negative integer)`));
      continue;
    }
    if (Object.hasOwn(labels, String(label))) {
      findings.push(makeFinding('labels-invalid', { file: 'dataset.json' }, `labels: value ${label} is declared twice (${labels[String(label)]}, ${name})`));
      continue;
    }
    labels[String(label)] = name;
  }
  checkLabelDeclaration(labels, findings);
  return labels;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Cases from the file names of imagesX/CASE_XXXX<ending> (and labelsX/CASE<ending> for training). */
function casesFromFiles(images: FolderEntry[], labels: FolderEntry[], imageFolder: string, labelFolder: string | null, ending: string, channelCount: number): DatasetCase[] {
  const channelFile = new RegExp(`^(.+)_(\\d{4})${escapeRegExp(ending)}$`);
  const labelFile = new RegExp(`^(.+)${escapeRegExp(ending)}$`);
  const ids = new Set<string>();
  for (const entry of images) {
    const match = channelFile.exec(entry.name);
    if (match && Number(match[2]) < channelCount) ids.add(match[1]!);
  }
  for (const entry of labels) {
    const match = labelFile.exec(entry.name);
    if (match) ids.add(match[1]!);
  }
  const split: CaseSplit = labelFolder === null ? 'test' : 'training';
  return [...ids]
    .sort()
    .map((id) => ({
      id,
      split,
      images: Array.from({ length: channelCount }, (_, channel) => `${imageFolder}/${id}_${String(channel).padStart(4, '0')}${ending}`),
      label: labelFolder === null ? null : `${labelFolder}/${id}${ending}`,
    }));
}

/** The optional explicit case list of nnU-Net v2: "dataset": {id: {"images": [...], "label": ...}}. */
function casesFromDatasetKey(folder: string, value: Record<string, unknown>, findings: IntegrityFinding[]): DatasetCase[] {
  return Object.entries(value).flatMap(([id, entry]): DatasetCase[] => {
    if (!isRecord(entry) || !isStringArray(entry['images']) || typeof entry['label'] !== 'string') {
      findings.push(makeFinding('dataset-json-invalid', { case: id, file: 'dataset.json' }, `dataset.${id}: expected {"images": ["<path>", ...], "label": "<path>"}`));
      return [];
    }
    return [{ id, split: 'training', images: entry['images'].map((path) => relativeToFolder(folder, path)), label: relativeToFolder(folder, entry['label']) }];
  });
}

/**
 * nnU-Net v2 raw: dataset.json with channel_names, labels (name -> value), numTraining and
 * file_ending; imagesTr/CASE_0000<ending> (one file per channel), labelsTr/CASE<ending>, imagesTs.
 */
export async function readNnunetLayout(folder: string, json: Record<string, unknown>): Promise<DatasetListing> {
  const findings: IntegrityFinding[] = [];
  const channels = channelNames(json['channel_names'] ?? json['modality'], 'channel_names', findings);
  const labels = nnunetLabels(json['labels'], json, findings);
  let ending = json['file_ending'];
  if (typeof ending !== 'string' || ending === '') {
    findings.push(makeFinding('dataset-json-invalid', { file: 'dataset.json' }, 'file_ending: expected a file extension such as ".nii.gz"; assumed ".nii.gz"'));
    ending = '.nii.gz';
  }
  const [imagesTr, labelsTr, imagesTs] = await Promise.all(['imagesTr', 'labelsTr', 'imagesTs'].map((sub) => listEntries(folder, sub)));
  const explicit = json['dataset'];
  const training = isRecord(explicit) ? casesFromDatasetKey(folder, explicit, findings) : casesFromFiles(imagesTr!, labelsTr!, 'imagesTr', 'labelsTr', ending as string, channels.length);
  const declared = json['numTraining'];
  if (typeof declared !== 'number') {
    findings.push(makeFinding('dataset-json-invalid', { file: 'dataset.json' }, 'numTraining: expected the number of training cases'));
  } else if (declared !== training.length) {
    findings.push(makeFinding('case-count-mismatch', { file: 'dataset.json' }, `numTraining is ${declared} but ${training.length} training cases were found`));
  }
  return finishListing({
    folder,
    layout: 'nnunet-v2',
    name: typeof json['name'] === 'string' ? json['name'] : basename(folder),
    description: typeof json['description'] === 'string' ? json['description'] : '',
    channels,
    labels,
    cases: [...training, ...casesFromFiles(imagesTs!, [], 'imagesTs', null, ending as string, channels.length)],
    findings,
    scanned: [...imagesTr!, ...labelsTr!, ...imagesTs!],
  });
}
