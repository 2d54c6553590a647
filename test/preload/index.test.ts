/**
 * The preload (preload/index.ts) against a stand-in electron module: what it exposes to the page,
 * how a command's reply envelope becomes a value or a rejection, and event subscriptions.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { API_GLOBAL, commandChannel, eventChannel, type VoxnasApi } from '../../main/contract/index.ts';

type Listener = (...args: unknown[]) => void;

const electron = vi.hoisted(() => {
  const recorded = { exposed: new Map<string, unknown>(), invoked: [] as [string, unknown][], listeners: new Map<string, Listener[]>(), reply: null as unknown };
  const module = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => recorded.exposed.set(key, api) },
    ipcRenderer: {
      invoke: async (channel: string, request: unknown) => {
        recorded.invoked.push([channel, request]);
        return recorded.reply;
      },
      on: (channel: string, listener: Listener) => recorded.listeners.set(channel, [...(recorded.listeners.get(channel) ?? []), listener]),
      removeListener: (channel: string, listener: Listener) => recorded.listeners.set(channel, (recorded.listeners.get(channel) ?? []).filter((entry) => entry !== listener)),
    },
  };
  return { module, recorded };
});

vi.mock('electron', () => ({ ...electron.module, default: electron.module }));

const { recorded } = electron;
let api: VoxnasApi;

beforeAll(async () => {
  await import('../../preload/index.ts');
  api = recorded.exposed.get(API_GLOBAL) as VoxnasApi;
});

describe('preload', () => {
  it('exposes exactly invoke and subscribe as window.voxnas, nothing else', () => {
    expect([...recorded.exposed.keys()]).toEqual(['voxnas']);
    expect(Object.keys(api).sort()).toEqual(['invoke', 'subscribe']);
  });

  it("invoke sends the request on the command's channel and resolves with the reply's value", async () => {
    recorded.reply = { ok: true, value: { name: 'VoxNAS' } };
    expect(await api.invoke('app.info', {})).toEqual({ name: 'VoxNAS' });
    expect(recorded.invoked.at(-1)).toEqual([commandChannel('app.info'), {}]);
  });

  it('a refused command rejects with code and message (a plain object: contextBridge would drop an Error code)', async () => {
    recorded.reply = { ok: false, error: { code: 'not-found', message: '/ws is not a VoxNAS workspace.' } };
    const error = (await api.invoke('workspace.open', { folder: '/ws' }).catch((reason: unknown) => reason)) as { name: string; code: string; message: string };
    expect([error.name, error.code, error.message, String(error)]).toEqual(['ContractError', 'not-found', '/ws is not a VoxNAS workspace.', 'ContractError: /ws is not a VoxNAS workspace.']);
    recorded.reply = { ok: false, error: 'garbage' };
    expect(await api.invoke('app.info', {}).catch((reason: { code: string }) => reason.code)).toBe('failed');
  });

  it('refuses names outside the contract without touching IPC', async () => {
    const count = recorded.invoked.length;
    await expect(api.invoke('shell.exec' as never, {} as never)).rejects.toThrow("Unknown VoxNAS command 'shell.exec'");
    expect(() => api.subscribe('ipc.raw' as never, () => undefined)).toThrow("Unknown VoxNAS event 'ipc.raw'");
    expect(recorded.invoked.length).toBe(count);
  });

  it('subscribe passes only the payload (never the IPC event) until unsubscribed', () => {
    const received: unknown[][] = [];
    const unsubscribe = api.subscribe('job.event', (...args: unknown[]) => received.push(args));
    const deliver = (payload: unknown) => (recorded.listeners.get(eventChannel('job.event')) ?? []).forEach((listener) => listener({ sender: 'ipc internals' }, payload));
    deliver({ jobId: 'j1', seq: 1 });
    unsubscribe();
    deliver({ jobId: 'j1', seq: 2 });
    expect(received).toEqual([[{ jobId: 'j1', seq: 1 }]]);
  });
});
