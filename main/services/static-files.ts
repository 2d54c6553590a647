import { readFile, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

export type StaticFileResult =
  | { status: 200; body: Buffer; contentType: string }
  | { status: 403 | 404; body: string; contentType: string };

/**
 * Resolves a URL path inside the built renderer folder and reads the file. Used by the app://
 * protocol handler in Electron and by the browser-mode server, so both serve exactly the same
 * files. Paths that leave the folder (../, encoded or not) are refused; '/' serves index.html.
 */
export async function readStaticFile(rootDir: string, urlPath: string): Promise<StaticFileResult> {
  const text = 'text/plain; charset=utf-8';
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split(/[?#]/, 1)[0] ?? '/');
  } catch {
    return { status: 403, body: 'Malformed path', contentType: text };
  }
  const wanted = decoded === '/' || decoded === '' ? '/index.html' : decoded;
  const root = resolve(rootDir);
  const target = resolve(join(root, wanted));
  const inside = relative(root, target);
  if (inside.startsWith('..') || isAbsolute(inside) || decoded.includes('\0')) {
    return { status: 403, body: 'Forbidden', contentType: text };
  }
  try {
    if (!(await stat(target)).isFile()) return { status: 404, body: 'Not found', contentType: text };
    const body = await readFile(target);
    return { status: 200, body, contentType: MIME_TYPES[extname(target)] ?? 'application/octet-stream' };
  } catch {
    return { status: 404, body: 'Not found', contentType: text };
  }
}
