/**
 * Exposes exactly the contract's functions (invoke, subscribe) to the renderer as `window.voxnas`;
 * never ipcRenderer itself. Main answers every command with an envelope { ok, value | error } rather
 * than throwing (Electron would prefix a thrown error's message). A refused command rejects with a
 * plain { name: 'ContractError', code, message } object: contextBridge copies an Error by its message
 * only, so an Error's `code` would not reach the renderer (docs/decisions/0014).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { API_GLOBAL, commandChannel, eventChannel, isCommandName, isEventName, type IpcReply, type VoxnasApi } from '../main/contract/index.ts';
import { isWireError } from '../main/contract/errors.ts';

const api: VoxnasApi = {
  async invoke(name, request) {
    if (!isCommandName(name)) throw new Error(`Unknown VoxNAS command '${String(name)}': use one of the contract's COMMAND_NAMES.`);
    const reply = (await ipcRenderer.invoke(commandChannel(name), request)) as IpcReply;
    if (reply.ok) return reply.value as never;
    const wire = isWireError(reply.error) ? reply.error : { code: 'failed', message: `The VoxNAS command '${name}' failed without a readable error.` };
    const message = wire.message;
    // toString keeps String(error) and template literals readable in the renderer, as for an Error.
    throw { name: 'ContractError', code: wire.code, message, toString: () => `ContractError: ${message}` };
  },
  subscribe(event, listener) {
    if (!isEventName(event)) throw new Error(`Unknown VoxNAS event '${String(event)}': use one of the contract's EVENT_NAMES.`);
    const channel = eventChannel(event);
    // Never hand the IPC event object to the renderer: it carries the sender.
    const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload as never);
    ipcRenderer.on(channel, forward);
    return () => {
      ipcRenderer.removeListener(channel, forward);
    };
  },
};

contextBridge.exposeInMainWorld(API_GLOBAL, api);
