import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CaseFileRef, TrainingCase } from '../../engine/train/training-case.ts';

/**
 * Writes a case as the preprocessing cache stores it (engine/api/preprocessed.ts: image float32
 * [C, D, H, W], label uint8 [D, H, W], class locations as int32 (i, j, k) triples), with only the
 * header fields training reads plus a few others, and returns its file reference.
 */
export async function writeCachedCase(folder: string, trainingCase: TrainingCase): Promise<CaseFileRef> {
  const [depth, height, width] = trainingCase.dims;
  const labelOffset = trainingCase.image.byteLength;
  let offset = Math.ceil((labelOffset + trainingCase.label.byteLength) / 4) * 4;
  const parts: Uint8Array[] = [new Uint8Array(trainingCase.image.buffer.slice(0)), trainingCase.label, new Uint8Array(offset - labelOffset - trainingCase.label.byteLength)];
  const classLocations = Object.entries(trainingCase.classLocations).map(([key, flat]) => {
    const triples = new Int32Array(flat.length * 3);
    flat.forEach((index, at) => triples.set([index % width, Math.floor(index / width) % height, Math.floor(index / (width * height))], 3 * at));
    const entry = { classIndex: Number(key), value: Number(key), voxels: flat.length, stored: flat.length, offset };
    parts.push(new Uint8Array(triples.buffer));
    offset += triples.byteLength;
    return entry;
  });
  const header = {
    schemaVersion: 1,
    caseId: trainingCase.id,
    channels: trainingCase.channels,
    arrays: {
      image: { offset: 0, dtype: 'float32', shape: [trainingCase.channels, depth, height, width] },
      label: { offset: labelOffset, dtype: 'uint8', shape: [depth, height, width] },
    },
    classLocations,
    bytes: offset,
  };
  const ref = { id: trainingCase.id, binPath: join(folder, `${trainingCase.id}.bin`), jsonPath: join(folder, `${trainingCase.id}.json`) };
  await writeFile(ref.binPath, Buffer.concat(parts));
  await writeFile(ref.jsonPath, JSON.stringify(header));
  return ref;
}
