/**
 * The one typed contract between the renderer and the services. The Electron preload exposes it as
 * `window.voxnas`; browser mode will implement the same interface over HTTP and WebSocket.
 * Pure types and constants: preload and renderer import this file, so it imports nothing at runtime.
 */

/** What the renderer may ask, and what it gets back. */
export interface Commands {
  /** Name, version and how the app runs; the shell's footer shows it. */
  'app.info': { request: Record<string, never>; response: AppInfo };
}

export interface AppInfo {
  name: string;
  version: string;
  /** 'electron' in the desktop app, 'browser' against the browser-mode server. */
  mode: 'electron' | 'browser';
  platform: string;
}

export type CommandName = keyof Commands;
export type CommandRequest<K extends CommandName> = Commands[K]['request'];
export type CommandResponse<K extends CommandName> = Commands[K]['response'];

/** Every command name, for allow-lists in the preload and in main. */
export const COMMAND_NAMES = ['app.info'] as const satisfies readonly CommandName[];

/** Electron IPC channel of a command. */
export function commandChannel(name: CommandName): string {
  return `voxnas:command:${name}`;
}

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && (COMMAND_NAMES as readonly string[]).includes(name);
}

/** The object the renderer sees as `window.voxnas`. */
export interface VoxnasApi {
  invoke<K extends CommandName>(name: K, request: CommandRequest<K>): Promise<CommandResponse<K>>;
}

/** The global the preload defines. */
export const API_GLOBAL = 'voxnas';
