/**
 * Which way this page reaches the services, decided once per page:
 * - desktop: the Electron preload defined `window.voxnas` (IPC);
 * - browser: the page was served by `npm run serve`, which marks index.html with
 *   `<meta name="voxnas-transport" content="http">`: HTTP + WebSocket to the page's own origin;
 * - none: a page opened on its own (a static server, a file): no services, and no requests made.
 */
import type { VoxnasApi } from '../../../main/contract/index.ts';
import { createHttpTransport, type OpenSocket } from './http.ts';

export type TransportKind = 'desktop' | 'browser' | 'none';

export interface Backend {
  kind: TransportKind;
  api: VoxnasApi | null;
  /** Browser mode's `--workspace-root`: where new workspaces are suggested; null when not given. */
  workspaceRoot: string | null;
}

function metaContent(name: string): string | null {
  return document.querySelector(`meta[name="${name}"]`)?.getAttribute('content') ?? null;
}

/** The browser's WebSocket, wired to the transport's handlers. */
const openBrowserSocket: OpenSocket = (url, handlers) => {
  const socket = new WebSocket(url);
  socket.onopen = () => handlers.open();
  socket.onmessage = (event) => handlers.message(event.data);
  socket.onerror = () => socket.close();
  socket.onclose = () => handlers.close();
  return socket;
};

function detect(): Backend {
  if (window.voxnas) return { kind: 'desktop', api: window.voxnas, workspaceRoot: null };
  if (metaContent('voxnas-transport') === 'http') {
    const api = createHttpTransport({ baseUrl: window.location.origin, openSocket: openBrowserSocket });
    return { kind: 'browser', api, workspaceRoot: metaContent('voxnas-workspace-root') };
  }
  return { kind: 'none', api: null, workspaceRoot: null };
}

let backend: Backend | null = null;

/** The page's one connection to the services (not reactive state: Pinia stores keep only what it returns). */
export function getBackend(): Backend {
  backend ??= detect();
  return backend;
}

/** The contract's API, or an error that says how to start VoxNAS with its services. */
export function requireApi(): VoxnasApi {
  const { api } = getBackend();
  if (!api) throw new Error('No VoxNAS services are connected: start the desktop app (`npm start`) or `npm run serve` and open the link it prints.');
  return api;
}

export { VoxnasError } from './http.ts';
