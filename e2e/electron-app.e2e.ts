import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { _electron as electron } from 'playwright-core';
import { findElectronBinary } from './support/electron-binary.ts';

const binary = findElectronBinary();

type WithApi = { voxnas: { invoke(name: string, request: unknown): Promise<unknown>; subscribe(event: string, listener: () => void): () => void } };

describe('the desktop app (needs the Electron binary)', () => {
  it('loads from app://, the preload exposes exactly invoke + subscribe, and commands answer through the services', async (context) => {
    if ('reason' in binary) {
      process.stdout.write(`skipped Electron app test: ${binary.reason}\n`);
      context.skip(binary.reason);
      return;
    }
    const stateDir = mkdtempSync(join(tmpdir(), 'voxnas-electron-'));
    const app = await electron.launch({ executablePath: binary.path, args: ['out/main/index.js'], env: { ...process.env, VOXNAS_STATE_DIR: stateDir } });
    try {
      const page = await app.firstWindow();
      await page.waitForLoadState('domcontentloaded');
      expect(page.url()).toBe('app://voxnas/index.html');
      expect(await page.title()).toBe('VoxNAS');
      const exposed = await page.evaluate(() => {
        const api = (globalThis as unknown as WithApi).voxnas;
        return { keys: Object.keys(api).sort(), types: [typeof api.invoke, typeof api.subscribe], require: typeof (globalThis as { require?: unknown }).require, process: typeof (globalThis as { process?: unknown }).process };
      });
      expect(exposed).toEqual({ keys: ['invoke', 'subscribe'], types: ['function', 'function'], require: 'undefined', process: 'undefined' });
      const info = await page.evaluate(() => (globalThis as unknown as WithApi).voxnas.invoke('app.info', {}));
      expect(info).toMatchObject({ name: 'VoxNAS', mode: 'electron' });
      // A bad request is refused by main's validation, with its code, across the context bridge.
      const refusal = await page.evaluate(() => (globalThis as unknown as WithApi).voxnas.invoke('workspace.open', { folder: 'relative' }).then(() => null, (error: { code: string; message: string }) => ({ code: error.code, message: error.message })));
      expect(refusal).toEqual({ code: 'bad-request', message: "workspace.open: 'folder' must be an absolute path (such as /home/me/scans or C:\\scans), got 'relative'." });
      const unsubscribed = await page.evaluate(() => {
        const unsubscribe = (globalThis as unknown as WithApi).voxnas.subscribe('job.event', () => undefined);
        unsubscribe();
        return typeof unsubscribe;
      });
      expect(unsubscribed).toBe('function');
      // Navigation away from app:// is prevented.
      await page.evaluate(() => {
        (globalThis as unknown as { location: { href: string } }).location.href = 'https://example.org/';
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(page.url()).toBe('app://voxnas/index.html');
    } finally {
      await app.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
