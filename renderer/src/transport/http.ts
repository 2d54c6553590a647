/**
 * The contract (VoxnasApi) over HTTP and one WebSocket, for a page served by `npm run serve`
 * (main/server). Commands are `POST /api/command/<name>` with a JSON body; a response with binary
 * voxels comes as application/octet-stream with the rest of the payload JSON in the
 * `X-VoxNAS-Payload` header (percent-encoded) and the field's name in `X-VoxNAS-Binary-Field`
 * (main/server/binary-payload.ts). Events arrive on `/api/events` as `{ event, payload }`.
 * The page authenticates with the server's HttpOnly cookie; scripts and tests may pass headers.
 * No DOM globals here (only fetch and what is injected), so Node tests can run it against the server.
 */
import type { CommandName, CommandRequest, CommandResponse, EventName, Events, VoxnasApi } from '../../../main/contract/index.ts';
import type { ContractErrorCode } from '../../../main/contract/errors.ts';

const PAYLOAD_HEADER = 'x-voxnas-payload';
const BINARY_FIELD_HEADER = 'x-voxnas-binary-field';
const ERROR_CODES: readonly ContractErrorCode[] = ['bad-request', 'not-found', 'conflict', 'failed'];

/** A rejected command, as both transports report it: the services' message and code. */
export class VoxnasError extends Error {
  readonly code: ContractErrorCode;

  constructor(code: ContractErrorCode, message: string) {
    super(message);
    this.name = 'VoxnasError';
    this.code = code;
  }
}

/** What the transport does with its event socket's life. */
export interface SocketHandlers {
  open(): void;
  message(data: unknown): void;
  /** Called once when the socket closed or failed to connect. */
  close(): void;
}

/**
 * Opens a WebSocket and wires it to the handlers (the page wraps the browser's WebSocket, Node
 * tests wrap `ws`); returns what closes it.
 */
export type OpenSocket = (url: string, handlers: SocketHandlers) => { close(): void };

export interface HttpTransportOptions {
  /** The server's origin, e.g. http://127.0.0.1:8765 (the page's own origin in browser mode). */
  baseUrl: string;
  fetch?: typeof fetch;
  openSocket: OpenSocket;
  /** Extra request headers (e.g. Authorization for scripts; pages rely on the cookie). */
  headers?: Record<string, string>;
  /** Waits between reconnection attempts, in ms; the last one repeats. */
  reconnectDelays?: readonly number[];
}

export interface HttpTransport extends VoxnasApi {
  /** Closes the event socket and stops reconnecting. */
  close(): void;
}

function errorFromBody(status: number, name: string, text: string): VoxnasError {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const code = body.error?.code;
    if (typeof body.error?.message === 'string' && ERROR_CODES.includes(code as ContractErrorCode)) {
      return new VoxnasError(code as ContractErrorCode, body.error.message);
    }
  } catch {
    // Not our JSON: a refusal of the server's access checks, answered as text.
  }
  const hint = status === 401 || status === 403 ? ' Open VoxNAS again with the link that `npm run serve` printed.' : '';
  return new VoxnasError('failed', `The VoxNAS server refused '${name}' (HTTP ${status}): ${text.trim() || 'no details'}.${hint}`);
}

async function readResponse(response: Response, name: string): Promise<unknown> {
  const type = response.headers.get('content-type') ?? '';
  if (response.ok && type.startsWith('application/octet-stream')) {
    const field = response.headers.get(BINARY_FIELD_HEADER) ?? 'data';
    const meta = JSON.parse(decodeURIComponent(response.headers.get(PAYLOAD_HEADER) ?? '%7B%7D')) as Record<string, unknown>;
    return { ...meta, [field]: await response.arrayBuffer() };
  }
  const text = await response.text();
  if (!response.ok) throw errorFromBody(response.status, name, text);
  return JSON.parse(text) as unknown;
}

export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const base = options.baseUrl.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? fetch;
  const delays = options.reconnectDelays ?? [500, 1000, 2000, 5000];
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  let socket: { close(): void } | null = null;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let attempts = 0;
  let closed = false;

  const listenerCount = () => [...listeners.values()].reduce((sum, set) => sum + set.size, 0);

  function dispatch(data: unknown): void {
    let message: { event?: unknown; payload?: unknown };
    try {
      message = JSON.parse(String(data)) as typeof message;
    } catch {
      return;
    }
    for (const listener of listeners.get(message.event as EventName) ?? []) listener(message.payload as never);
  }

  function connect(): void {
    if (socket || closed || listenerCount() === 0) return;
    const current = options.openSocket(`${base.replace(/^http/, 'ws')}/api/events`, {
      open: () => {
        attempts = 0;
      },
      message: dispatch,
      close: () => {
        if (socket !== current) return;
        socket = null;
        if (closed || listenerCount() === 0) return;
        const delay = delays[Math.min(attempts, delays.length - 1)] ?? 1000;
        attempts += 1;
        reconnectTimer = setTimeout(() => {
          reconnectTimer = null;
          connect();
        }, delay);
      },
    });
    socket = current;
  }

  function disconnect(): void {
    if (reconnectTimer) clearTimeout(reconnectTimer);
    reconnectTimer = null;
    const current = socket;
    socket = null;
    current?.close();
  }

  return {
    async invoke<K extends CommandName>(name: K, request: CommandRequest<K>): Promise<CommandResponse<K>> {
      let response: Response;
      try {
        response = await fetchImpl(`${base}/api/command/${encodeURIComponent(name)}`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json', ...options.headers },
          body: JSON.stringify(request ?? {}),
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new VoxnasError('failed', `Could not reach the VoxNAS server at ${base} (${reason}): is \`npm run serve\` still running?`);
      }
      return (await readResponse(response, name)) as CommandResponse<K>;
    },

    subscribe<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const entry = listener as (payload: never) => void;
      set.add(entry);
      connect();
      return () => {
        set.delete(entry);
        if (listenerCount() === 0) disconnect();
      };
    },

    close() {
      closed = true;
      disconnect();
    },
  };
}
