import { dirname, join } from 'node:path';
import { InputError } from '../input-error.ts';
import { parseDicomFile } from './parse.ts';

const DIRECTORY_RECORD_SEQUENCE = 'x00041220';
const REFERENCED_FILE_ID = 'x00041500';

/**
 * The files a DICOMDIR lists (Referenced File ID of its directory records), as paths relative to the
 * DICOMDIR's folder. File IDs are backslash-separated components (PS3.10), upper case on old media.
 */
export async function listDicomdirFiles(dicomdirPath: string): Promise<string[]> {
  const { dataSet } = await parseDicomFile(dicomdirPath);
  const records = dataSet.elements[DIRECTORY_RECORD_SEQUENCE]?.items ?? [];
  const files: string[] = [];
  for (const record of records) {
    const fileId = record.dataSet?.string(REFERENCED_FILE_ID);
    if (fileId) files.push(join(dirname(dicomdirPath), ...fileId.split('\\').filter(Boolean)));
  }
  if (files.length === 0) throw new InputError(dicomdirPath, 'is a DICOMDIR that lists no image files', 'Point VoxNAS at the folder that holds the images instead.');
  return files;
}
