import { basename } from 'node:path';
import type { DatasetCase } from '../../api/dataset.ts';
import type { IntegrityFinding } from '../../api/integrity.ts';
import { makeFinding } from '../../api/integrity.ts';
import { isVolumeName, listEntries, volumeStem, type FolderEntry } from './dataset-files.ts';
import { finishListing, type DatasetListing } from './listing.ts';

/** Volume entries by case id: NIfTI/DICOM files by stem, folders (DICOM series) by name. */
function byStem(entries: FolderEntry[], findings: IntegrityFinding[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const entry of entries) {
    if (!entry.isDirectory && !isVolumeName(entry.name)) continue;
    const id = entry.isDirectory ? entry.name : volumeStem(entry.name);
    const first = found.get(id);
    if (first !== undefined) findings.push(makeFinding('duplicate-case', { case: id, file: entry.path }, `${first} and ${entry.path} both name case ${id}; ${entry.path} is ignored`));
    else found.set(id, entry.path);
  }
  return found;
}

/**
 * A plain pair of folders: images/<case>.<ext> and labels/<case>.<ext>, matched by file name stem.
 * Nothing declares the channels or labels: the check takes them from the files.
 */
export async function readFolderPairLayout(folder: string): Promise<DatasetListing> {
  const findings: IntegrityFinding[] = [];
  const [imageEntries, labelEntries] = await Promise.all([listEntries(folder, 'images'), listEntries(folder, 'labels')]);
  const images = byStem(imageEntries!, findings);
  const labels = byStem(labelEntries!, findings);
  const ids = [...new Set([...images.keys(), ...labels.keys()])].sort();
  const cases = ids.map((id): DatasetCase => {
    const image = images.get(id);
    return { id, split: 'training', images: image === undefined ? [] : [image], label: labels.get(id) ?? null };
  });
  // Files that were skipped as repeats stay "unlisted" only when they are not volumes at all; repeats are already reported.
  const repeats = new Set(findings.map((finding) => finding.file));
  return finishListing({
    folder,
    layout: 'folder-pair',
    name: basename(folder),
    description: '',
    channels: null,
    labels: null,
    cases,
    findings,
    scanned: [...imageEntries!, ...labelEntries!].filter((entry) => !repeats.has(entry.path)),
  });
}
