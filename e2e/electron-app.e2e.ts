import { describe, expect, it } from 'vitest';
import { _electron as electron } from 'playwright-core';
import { findElectronBinary } from './support/electron-binary.ts';

const binary = findElectronBinary();

describe('the desktop app (needs the Electron binary)', () => {
  it('opens one window with the application shell, and the preload exposes only the contract', async (context) => {
    if ('reason' in binary) {
      process.stdout.write(`skipped Electron app test: ${binary.reason}\n`);
      context.skip(binary.reason);
      return;
    }
    const app = await electron.launch({ executablePath: binary.path, args: ['out/main/index.js'] });
    try {
      const window = await app.firstWindow();
      await expect.poll(() => window.locator('h1').textContent()).toBe('VoxNAS');
      expect(window.url()).toBe('app://voxnas/index.html');
      expect(await window.evaluate(() => Object.keys((window as unknown as { voxnas: object }).voxnas))).toEqual(['invoke']);
      expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      await expect.poll(() => window.getByRole('status').getAttribute('data-status')).toBe('connected');
    } finally {
      await app.close();
    }
  });
});
