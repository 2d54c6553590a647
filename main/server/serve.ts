/**
 * Browser mode: the services (the same ones the Electron main process uses) and the built renderer
 * on http://127.0.0.1:<port>, for machines without an Electron binary and for a laptop that reaches
 * a headless GPU workstation through an SSH tunnel. Loopback only, and every request and WebSocket
 * needs the random token (access.ts).
 *
 *   GET  /, /assets/...          the built renderer (the app's CSP, plus our ws:// origin)
 *   POST /api/command/<name>     a contract command (http-api.ts)
 *   WS   /api/events             the contract's event streams (events-socket.ts)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createToken, decideAccess, type AccessDecision } from './access.ts';
import { createEventsSocket, EVENTS_PATH } from './events-socket.ts';
import { COMMAND_PREFIX, handleCommandRequest, type ServerServices } from './http-api.ts';
import { browserModeCsp, readRendererFile } from './renderer-files.ts';

/** Loopback only: the server is never reachable from another machine (use an SSH tunnel). */
export const SERVER_HOST = '127.0.0.1';

export interface StartServerOptions {
  /** A fixed port; a free one when absent or 0. */
  port?: number;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  services: ServerServices;
  /** Tests pass their own; otherwise a fresh random one. */
  token?: string;
  /** Where the page suggests new workspaces (`--workspace-root`). */
  workspaceRoot?: string;
}

export interface RunningServer {
  /** The link to open: http://127.0.0.1:<port>/?token=<token>. */
  url: string;
  port: number;
  token: string;
  /** The bound address (always 127.0.0.1). */
  address: AddressInfo;
  close(): Promise<void>;
}

const COMMON_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** At least 128 bits of base64url. */
const MIN_TOKEN_LENGTH = 22;

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const token = options.token ?? createToken();
  if (token.length < MIN_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) {
    throw new Error(`The server token must be at least ${MIN_TOKEN_LENGTH} base64url characters (128 bits); leave it out to get a random one.`);
  }
  const events = createEventsSocket(options.services);
  const server = createServer();
  let port = 0;

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    for (const [name, value] of Object.entries(COMMON_HEADERS)) response.setHeader(name, value);
    const decision = decideAccess({ method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers, upgrade: false }, { port, token });
    route(decision, request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`Internal error: ${error instanceof Error ? error.message : String(error)}`);
    });
  });

  async function route(decision: AccessDecision, request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (decision.kind === 'deny') {
      response.writeHead(decision.status, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`${decision.reason}\n`);
      return;
    }
    if (decision.kind === 'set-cookie') {
      response.writeHead(303, { 'set-cookie': decision.cookie, location: decision.location });
      response.end();
      return;
    }
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (pathname.startsWith(COMMAND_PREFIX)) return handleCommandRequest(options.services, request, response, pathname);
    if (pathname === EVENTS_PATH || pathname.startsWith('/api/')) {
      const message = pathname === EVENTS_PATH ? `${EVENTS_PATH} is a WebSocket.` : `No API at ${pathname}: commands are POST ${COMMAND_PREFIX}<name>.`;
      response.writeHead(pathname === EVENTS_PATH ? 426 : 404, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`${message}\n`);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      response.end('The application files are read-only.\n');
      return;
    }
    const file = await readRendererFile(options.rendererDir, pathname, { workspaceRoot: options.workspaceRoot });
    response.writeHead(file.status, { 'content-type': file.contentType, 'content-security-policy': browserModeCsp(port) });
    response.end(request.method === 'HEAD' ? undefined : file.body);
  }

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const decision = decideAccess({ method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers, upgrade: true }, { port, token });
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (decision.kind === 'deny') return refuseUpgrade(socket, decision.status, decision.reason);
    if (pathname !== EVENTS_PATH) return refuseUpgrade(socket, 404, `The only WebSocket is ${EVENTS_PATH}.`);
    events.accept(request, socket, head);
  });

  await listen(server, options.port ?? 0);
  const address = server.address() as AddressInfo;
  port = address.port;
  return {
    url: `http://${SERVER_HOST}:${port}/?token=${token}`,
    port,
    token,
    address,
    async close() {
      await events.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new Error(`Port ${port} on ${SERVER_HOST} is in use: choose another with --port, or leave it out for a free one.`) : error);
    };
    server.once('error', onError);
    server.listen(port, SERVER_HOST, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Answers a refused upgrade with a plain HTTP status and drops the socket. */
function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const statusText: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' };
  const body = `${reason}\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${statusText[status] ?? 'Refused'}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
