import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStaticFile } from '../../main/services/static-files.ts';

const root = mkdtempSync(join(tmpdir(), 'voxnas-static-'));
mkdirSync(join(root, 'app', 'assets'), { recursive: true });
writeFileSync(join(root, 'app', 'index.html'), '<!doctype html>');
writeFileSync(join(root, 'app', 'assets', 'codec.wasm'), Buffer.from([0, 97, 115, 109]));
writeFileSync(join(root, 'secret.txt'), 'outside the served folder');
const served = join(root, 'app');

describe('readStaticFile (app:// protocol and browser-mode server)', () => {
  it('serves index.html for / and files with their MIME types', async () => {
    const index = await readStaticFile(served, '/');
    expect({ ...index, body: index.body.toString() }).toEqual({ status: 200, body: '<!doctype html>', contentType: 'text/html; charset=utf-8' });
    const wasm = await readStaticFile(served, '/assets/codec.wasm?v=1');
    expect(wasm).toMatchObject({ status: 200, contentType: 'application/wasm' });
  });

  it('refuses paths that leave the folder, plain or percent-encoded, and 404s what is missing', async () => {
    const statuses = await Promise.all(
      ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2E%2E/%2E%2E/secret.txt', '/%E0%A4%A', '/missing.js', '/assets'].map(
        async (path) => [path, (await readStaticFile(served, path)).status],
      ),
    );
    expect(statuses).toEqual([
      ['/../secret.txt', 403],
      ['/%2e%2e/secret.txt', 403],
      ['/assets/%2E%2E/%2E%2E/secret.txt', 403],
      ['/%E0%A4%A', 403],
      ['/missing.js', 404],
      ['/assets', 404],
    ]);
  });
});
