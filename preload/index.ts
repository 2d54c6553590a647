/**
 * Exposes exactly the contract's functions to the renderer as `window.voxnas`; never ipcRenderer.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { API_GLOBAL, commandChannel, isCommandName, type VoxnasApi } from '../main/contract/index.ts';

const api: VoxnasApi = {
  invoke(name, request) {
    if (!isCommandName(name)) return Promise.reject(new Error(`Unknown VoxNAS command '${String(name)}'.`));
    return ipcRenderer.invoke(commandChannel(name), request);
  },
};

contextBridge.exposeInMainWorld(API_GLOBAL, api);
