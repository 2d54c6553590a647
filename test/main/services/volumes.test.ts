import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVolume, sampleDatasetDir } from '../../../engine/index.ts';
import type { VolumePayload } from '../../../main/contract/index.ts';
import { createServices, type Services } from '../../../main/services/index.ts';
import { toPayload } from '../../../main/services/volumes.ts';
import { fakeJobService, importSample, temporaryFolder } from './service-fixtures.ts';

let root: string;
let cleanup: () => Promise<void>;
let services: Services;
let workspace: string;
const caseId = 'hippocampus_004';

const BYTES = { float32: 4, uint8: 1, int16: 2, uint16: 2, int32: 4 } as const;
const ARRAYS = { float32: Float32Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array } as const;

/** What the payload says, with its voxels read back as plain numbers. */
function unpack(payload: VolumePayload) {
  const { data, ...header } = payload;
  return { ...header, voxels: Array.from(new ARRAYS[payload.dtype](data)) };
}

async function refusal(request: object): Promise<[string, string]> {
  const error = (await services.handle('volumes.get', request).catch((reason: unknown) => reason)) as { code: string; message: string };
  return [error.code, error.message];
}

beforeAll(async () => {
  ({ folder: root, cleanup } = await temporaryFolder());
  services = createServices({ stateDir: join(root, 'state'), jobs: fakeJobService() });
  workspace = join(root, 'ws');
  await services.handle('workspace.create', { folder: workspace });
  await importSample(workspace);
});
afterAll(() => cleanup());

describe('volumes.get', () => {
  it("returns a case's image and label as binary voxels with the engine's geometry", async () => {
    for (const [kind, file] of [['image', `imagesTr/${caseId}.nii.gz`], ['label', `labelsTr/${caseId}.nii.gz`]] as const) {
      const payload = (await services.handle('volumes.get', { workspace, caseId, kind })) as VolumePayload;
      const { volume } = await readVolume(join(sampleDatasetDir(), file));
      expect(payload.data).toBeInstanceOf(ArrayBuffer);
      expect(payload.data.byteLength).toBe(volume.dims[0] * volume.dims[1] * volume.dims[2] * BYTES[payload.dtype]);
      expect(unpack(payload)).toEqual({
        caseId,
        kind,
        dims: volume.dims,
        spacing: volume.spacing,
        origin: volume.origin,
        direction: volume.direction.flat(),
        dtype: payload.dtype,
        voxels: Array.from(volume.data),
      });
    }
  });

  it("returns a model's prediction from predictions/<modelId>/<caseId>.nii.gz", async () => {
    await mkdir(join(workspace, 'predictions', 'm1'), { recursive: true });
    await copyFile(join(sampleDatasetDir(), 'labelsTr', `${caseId}.nii.gz`), join(workspace, 'predictions', 'm1', `${caseId}.nii.gz`));
    const prediction = (await services.handle('volumes.get', { workspace, caseId, kind: 'prediction', modelId: 'm1' })) as VolumePayload;
    const label = (await services.handle('volumes.get', { workspace, caseId, kind: 'label' })) as VolumePayload;
    expect(unpack(prediction)).toEqual({ ...unpack(label), kind: 'prediction' });
  });

  it('survives a structured clone (what Electron IPC does) as an ArrayBuffer, not an array of numbers', async () => {
    const payload = (await services.handle('volumes.get', { workspace, caseId, kind: 'label' })) as VolumePayload;
    const cloned = structuredClone(payload);
    expect(cloned.data).toBeInstanceOf(ArrayBuffer);
    expect(unpack(cloned)).toEqual(unpack(payload));
    expect(JSON.stringify({ ...payload, data: undefined }).length).toBeLessThan(500);
  });

  it('missing cases, labels and predictions are not-found errors that say what to do', async () => {
    expect([
      await refusal({ workspace, caseId: 'hippocampus_999', kind: 'image' }),
      await refusal({ workspace, caseId, kind: 'prediction', modelId: 'never-trained' }),
    ]).toEqual([
      ['not-found', `The dataset of ${workspace} has no case 'hippocampus_999'. Choose one of the cases dataset.get lists.`],
      ['not-found', `Model 'never-trained' has no prediction for case '${caseId}' (${join(workspace, 'predictions', 'never-trained', `${caseId}.nii.gz`)} does not exist). Run a predict job with this model first.`],
    ]);
  });

  it('converts voxel types the contract lacks and copies only channel 0 of a multi-channel volume', () => {
    const direction: [[number, number, number], [number, number, number], [number, number, number]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
    const base = { dims: [2, 1, 1] as [number, number, number], spacing: [1, 1, 1] as [number, number, number], origin: [0, 0, 0] as [number, number, number], direction, sourceDtype: 'float64' as const };
    const twoChannels = toPayload({ ...base, channels: 2, data: new Float64Array([1.5, -2, 7, 8]) }, 'c', 'image');
    const signedBytes = toPayload({ ...base, channels: 1, data: new Int8Array([-3, 4]) }, 'c', 'label');
    expect([unpack(twoChannels), unpack(signedBytes)].map(({ dtype, voxels, direction: flat }) => ({ dtype, voxels, flat }))).toEqual([
      { dtype: 'float32', voxels: [1.5, -2], flat: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
      { dtype: 'int16', voxels: [-3, 4], flat: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
    ]);
    expect(twoChannels.data.byteLength).toBe(8);
  });
});
