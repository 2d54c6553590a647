import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONTENT_SECURITY_POLICY } from '../../main/security.ts';
import { readStaticFile } from '../../main/services/static-files.ts';

/** Serves a built renderer on 127.0.0.1 (random port) with the app's CSP, as the app:// handler does. */
export async function serveRenderer(rootDir: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    void readStaticFile(rootDir, request.url ?? '/').then((file) => {
      response.writeHead(file.status, { 'content-type': file.contentType, 'content-security-policy': CONTENT_SECURITY_POLICY });
      response.end(file.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
