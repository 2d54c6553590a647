/**
 * The contract's commands over HTTP: `POST /api/command/<name>` with the request as a JSON body.
 * Answers the response as JSON (or as binary, see binary-payload.ts) and errors as
 * `{ error: { code, message } }` with the status of their code. Validation is the services' job
 * (the same `handle` as Electron's IPC); this module only moves bytes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toWireError, type ContractErrorCode, type WireError } from '../contract/errors.ts';
import type { JobEvent } from '../contract/index.ts';
import { BINARY_FIELD_HEADER, PAYLOAD_HEADER, splitBinaryResponse } from './binary-payload.ts';

/** What the server needs from part A's createServices: the same object the Electron main uses. */
export interface ServerServices {
  handle(name: string, rawRequest: unknown): Promise<unknown>;
  subscribe(listener: (event: 'job.event', payload: JobEvent) => void): () => void;
}

export const COMMAND_PREFIX = '/api/command/';

/** A command's arguments are small (paths, ids, parameters); anything larger is a mistake. */
const MAX_BODY_BYTES = 1024 * 1024;

const STATUS_OF_CODE: Record<ContractErrorCode, number> = {
  'bad-request': 400,
  'not-found': 404,
  conflict: 409,
  failed: 500,
};

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyError(413, `The request body is larger than ${MAX_BODY_BYTES} bytes: send command arguments only.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function sendError(response: ServerResponse, status: number, error: WireError): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify({ error }));
}

/** Parses the body: JSON, or an empty body meaning `{}` (handy for commands without arguments). */
function parseRequest(name: string, body: Buffer): unknown {
  const text = body.toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BodyError(400, `The body of '${name}' is not JSON (${(error as Error).message}): send the request as a JSON object.`);
  }
}

function decodeName(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

/** Handles one request under /api/command/; the caller has already checked the token, Host and Origin. */
export async function handleCommandRequest(services: ServerServices, request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> {
  const name = decodeName(pathname.slice(COMMAND_PREFIX.length));
  if (request.method !== 'POST') {
    response.setHeader('allow', 'POST');
    sendError(response, 405, { code: 'bad-request', message: `Send '${name}' as POST ${COMMAND_PREFIX}${name} with a JSON body.` });
    return;
  }
  let result: unknown;
  try {
    const body = await readBody(request);
    result = await services.handle(name, parseRequest(name, body));
  } catch (error) {
    if (error instanceof BodyError) sendError(response, error.status, { code: 'bad-request', message: error.message });
    else {
      const wire = toWireError(error);
      sendError(response, STATUS_OF_CODE[wire.code], wire);
    }
    return;
  }
  const binary = splitBinaryResponse(result);
  if (binary) {
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': binary.bytes.length,
      'cache-control': 'no-store',
      [PAYLOAD_HEADER]: encodeURIComponent(binary.json),
      [BINARY_FIELD_HEADER]: binary.field,
    });
    response.end(binary.bytes);
    return;
  }
  // `undefined` is not JSON; a command that returns nothing answers null.
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(result ?? null));
}
