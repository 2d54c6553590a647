/**
 * The contract's event streams over one WebSocket, `/api/events`: every event the services publish
 * goes to every connected page as JSON text `{ event, payload }` (e.g. `{ event: 'job.event',
 * payload: JobEvent }`); pages filter by job id. Pages send nothing. The upgrade is accepted only
 * after the server's access checks (see serve.ts); this module never sees a refused socket.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ServerServices } from './http-api.ts';

export const EVENTS_PATH = '/api/events';

/** Dead connections (a laptop that went to sleep behind an SSH tunnel) are noticed and dropped. */
const PING_INTERVAL_MS = 30_000;

export interface EventsSocket {
  /** Takes over an upgrade request that passed the access checks. */
  accept(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Connected pages right now. */
  clientCount(): number;
  close(): Promise<void>;
}

export function createEventsSocket(services: ServerServices): EventsSocket {
  // Only our own small JSON goes out; pages send nothing, so a tiny payload limit is enough.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, clientTracking: true });
  const alive = new WeakMap<WebSocket, boolean>();

  wss.on('connection', (socket) => {
    alive.set(socket, true);
    socket.on('pong', () => alive.set(socket, true));
    socket.on('message', () => socket.close(1003, 'This socket only sends events.'));
    socket.on('error', () => socket.terminate());
  });

  const unsubscribe = services.subscribe((event, payload) => {
    const text = JSON.stringify({ event, payload });
    for (const socket of wss.clients) {
      if (socket.readyState === socket.OPEN) socket.send(text);
    }
  });

  const pinger = setInterval(() => {
    for (const socket of wss.clients) {
      if (alive.get(socket) === false) {
        socket.terminate();
        continue;
      }
      alive.set(socket, false);
      socket.ping();
    }
  }, PING_INTERVAL_MS);
  pinger.unref();

  return {
    accept(request, socket, head) {
      wss.handleUpgrade(request, socket, head, (client) => wss.emit('connection', client, request));
    },
    clientCount: () => wss.clients.size,
    close() {
      clearInterval(pinger);
      unsubscribe();
      for (const socket of wss.clients) socket.terminate();
      return new Promise((resolve) => wss.close(() => resolve()));
    },
  };
}
