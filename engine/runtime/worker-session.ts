import type { WorkerReply, WorkerRequest } from '../api/worker-messages.ts';
import { VOXNAS_VERSION } from '../version.ts';
import type { WorkerTransport } from './worker-transport.ts';

function parseRequest(message: unknown): WorkerRequest | string {
  if (typeof message !== 'object' || message === null || !('type' in message)) {
    return 'a worker request must be an object with a "type"';
  }
  const request = message as { type: unknown; id?: unknown };
  if (request.type === 'hello' && typeof request.id === 'string') return { type: 'hello', id: request.id };
  if (request.type === 'shutdown') return { type: 'shutdown' };
  return `unknown worker request type ${JSON.stringify(request.type)} (expected "hello" or "shutdown")`;
}

/**
 * Serves requests on one transport until `shutdown`. Every message gets an answer: a reply, or an
 * `error` that says what was wrong, so the host never waits on a message the worker dropped.
 */
export function serveWorker(transport: WorkerTransport, exit: (code: number) => void): void {
  transport.onMessage((message) => {
    const request = parseRequest(message);
    if (typeof request === 'string') {
      const id = typeof (message as { id?: unknown })?.id === 'string' ? (message as { id: string }).id : null;
      transport.send({ type: 'error', id, message: request });
      return;
    }
    switch (request.type) {
      case 'hello': {
        const reply: WorkerReply = {
          type: 'ready',
          id: request.id,
          pid: process.pid,
          node: process.versions.node,
          engineVersion: VOXNAS_VERSION,
          transport: transport.kind,
        };
        transport.send(reply);
        return;
      }
      case 'shutdown':
        exit(0);
        return;
    }
  });
}
