/**
 * Volumes for the viewer: a case's image or label (the source files dataset.json points at) or a
 * model's prediction (predictions/<modelId>/<caseId>.nii.gz, in the source geometry), as a
 * VolumePayload whose voxels are one ArrayBuffer: a structured clone over Electron IPC and a binary
 * body over HTTP, never a JSON array.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isInputError, readDatasetFile, readVolume, type Volume } from '../../engine/index.ts';
import { ContractError } from '../contract/errors.ts';
import type { VolumeDataType, VolumeKind, VolumePayload } from '../contract/index.ts';
import type { Workspaces } from './workspaces.ts';

export interface Volumes {
  get(workspace: string, caseId: string, kind: VolumeKind, modelId?: string): Promise<VolumePayload>;
}

type Voxels = Volume['data'];

/** The payload's type for the engine's array: the same where the contract has it, else the smallest exact one. */
function payloadVoxels(data: Voxels): { dtype: VolumeDataType; array: Float32Array | Uint8Array | Int16Array | Uint16Array | Int32Array } {
  if (data instanceof Float32Array) return { dtype: 'float32', array: data };
  if (data instanceof Uint8Array) return { dtype: 'uint8', array: data };
  if (data instanceof Int16Array) return { dtype: 'int16', array: data };
  if (data instanceof Uint16Array) return { dtype: 'uint16', array: data };
  if (data instanceof Int32Array) return { dtype: 'int32', array: data };
  if (data instanceof Int8Array) return { dtype: 'int16', array: Int16Array.from(data) };
  if (data instanceof Uint32Array && data.every((value) => value <= 0x7fffffff)) return { dtype: 'int32', array: Int32Array.from(data) };
  // Float64 (and uint32 beyond int32): float32 is what the viewer renders anyway.
  return { dtype: 'float32', array: Float32Array.from(data) };
}

/** Channel 0 of a volume as a payload; the buffer holds exactly its voxels (a copy, never a view of a larger buffer). */
export function toPayload(volume: Volume, caseId: string, kind: VolumeKind): VolumePayload {
  const count = volume.dims[0] * volume.dims[1] * volume.dims[2];
  const { dtype, array } = payloadVoxels(volume.data.subarray(0, count));
  const data = array.buffer.slice(array.byteOffset, array.byteOffset + array.byteLength) as ArrayBuffer;
  return {
    caseId,
    kind,
    dims: [...volume.dims],
    spacing: [...volume.spacing],
    origin: [...volume.origin],
    direction: volume.direction.flat(),
    dtype,
    data,
  };
}

async function readCaseVolume(path: string, what: string): Promise<Volume> {
  try {
    return (await readVolume(path)).volume;
  } catch (error) {
    if (!isInputError(error)) throw error;
    const missing = !(await stat(path).then(() => true, () => false));
    throw new ContractError(missing ? 'not-found' : 'failed', `The ${what} cannot be read: ${error.message}`);
  }
}

export function createVolumes(workspaces: Workspaces): Volumes {
  return {
    async get(workspace, caseId, kind, modelId) {
      const folder = await workspaces.check(workspace);
      if (kind === 'prediction') {
        const path = join(folder, 'predictions', modelId!, `${caseId}.nii.gz`);
        if (!(await stat(path).then(() => true, () => false))) {
          throw new ContractError('not-found', `Model '${modelId}' has no prediction for case '${caseId}' (${path} does not exist). Run a predict job with this model first.`);
        }
        return toPayload(await readCaseVolume(path, `prediction of case '${caseId}'`), caseId, kind);
      }
      if (!(await stat(join(folder, 'dataset.json')).then(() => true, () => false))) {
        throw new ContractError('not-found', `${folder} has no dataset yet (no dataset.json). Import a dataset into the workspace first.`);
      }
      let dataset;
      try {
        dataset = await readDatasetFile(folder);
      } catch (error) {
        if (isInputError(error)) throw new ContractError('failed', error.message);
        throw error;
      }
      const entry = dataset.cases.find((candidate) => candidate.id === caseId);
      if (!entry) throw new ContractError('not-found', `The dataset of ${folder} has no case '${caseId}'. Choose one of the cases dataset.get lists.`);
      if (kind === 'label' && entry.label === null) throw new ContractError('not-found', `Case '${caseId}' has no label (it is a test case). Show its image, or a model's prediction.`);
      // The first image file is channel 0 (nnU-Net: one file per channel; MSD: one 4D file).
      const file = kind === 'label' ? entry.label! : entry.images[0]!;
      return toPayload(await readCaseVolume(join(dataset.source.folder, file), `${kind} of case '${caseId}'`), caseId, kind);
    },
  };
}
