import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../runtime/atomic-write.ts';
import { decodeTensorFile, encodeTensorFile, type NamedArray } from '../runtime/tensor-file.ts';

/**
 * A checkpoint is ONE tensor file (weights, optimizer slots and the trainer's state in its header),
 * written atomically: after a kill -9 the folder holds the previous checkpoint or the new one, never
 * a mix of steps.
 */
export interface Checkpoint<State> {
  weights: Map<string, NamedArray>;
  optimizer: Map<string, NamedArray>;
  state: State;
}

const WEIGHT = 'weight:';
const SLOT = 'optimizer:';

export const checkpointPath = (folder: string, name: 'last' | 'best') => join(folder, `${name}.vxtf`);

export async function saveCheckpoint<State>(folder: string, name: 'last' | 'best', checkpoint: Checkpoint<State>): Promise<void> {
  const tensors = new Map<string, NamedArray>();
  for (const [key, value] of checkpoint.weights) tensors.set(`${WEIGHT}${key}`, value);
  for (const [key, value] of checkpoint.optimizer) tensors.set(`${SLOT}${key}`, value);
  await writeFileAtomic(checkpointPath(folder, name), encodeTensorFile(tensors, checkpoint.state));
}

/** The checkpoint, or null when there is none yet. A damaged file is an error naming it. */
export async function loadCheckpoint<State>(folder: string, name: 'last' | 'best'): Promise<Checkpoint<State> | null> {
  const path = checkpointPath(folder, name);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch {
    return null;
  }
  let decoded: ReturnType<typeof decodeTensorFile>;
  try {
    decoded = decodeTensorFile(bytes);
  } catch (error) {
    throw new Error(`${path}: the checkpoint is damaged (${(error as Error).message}); delete it to restart the run from its previous checkpoint`, { cause: error });
  }
  const weights = new Map<string, NamedArray>();
  const optimizer = new Map<string, NamedArray>();
  for (const [key, value] of decoded.tensors) {
    if (key.startsWith(WEIGHT)) weights.set(key.slice(WEIGHT.length), value);
    else if (key.startsWith(SLOT)) optimizer.set(key.slice(SLOT.length), value);
  }
  return { weights, optimizer, state: decoded.meta as State };
}
