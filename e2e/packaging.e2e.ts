import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `electron-builder --dir` with electron-builder.yml, as `npm run dist` runs it, but offline: a stub
 * folder stands in for Electron's zip (`electronDist`) and the installed electron package gives the
 * version, so nothing is downloaded. What gets packed is the point: bundles in app.asar, native
 * addons unpacked next to it, resources as plain files.
 */
const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as {
  listPackage(archive: string, options: { isPack: boolean }): string[];
  statFile(archive: string, path: string): { unpacked?: boolean };
};
const electronVersion = (JSON.parse(readFileSync('node_modules/electron/package.json', 'utf8')) as { version: string }).version;

const work = mkdtempSync(join(tmpdir(), 'voxnas-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function runBuilder(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [require.resolve('electron-builder/cli.js'), ...args], {
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Files under a folder, relative and with '/'. */
function listFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)).split(sep).join('/'));
}

describe('packaging (electron-builder --dir with a stub Electron)', () => {
  it('packs the bundles into app.asar, unpacks the native addons and ships resources next to it', { timeout: 180_000 }, async (context) => {
    const stub = join(work, 'electron-dist');
    mkdirSync(stub);
    writeFileSync(join(stub, 'electron'), '#!/bin/sh\necho "stub Electron for the packaging test"\n');
    chmodSync(join(stub, 'electron'), 0o755);
    const output = join(work, 'dist');
    const { code, output: log } = await runBuilder([
      '--dir',
      '--linux',
      '--x64',
      '--publish',
      'never',
      `-c.electronDist=${stub}`,
      `-c.electronVersion=${electronVersion}`,
      `-c.directories.output=${output}`,
    ]);
    if (code !== 0 && /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|getaddrinfo/.test(log)) {
      const reason = `electron-builder needed the network: ${log.split('\n').find((line) => /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|getaddrinfo/.test(line))?.trim()}`;
      process.stdout.write(`skipped packaging test: ${reason}\n`);
      context.skip(reason);
      return;
    }
    expect(code, log).toBe(0);

    const resources = join(output, 'linux-unpacked', 'resources');
    const archive = join(resources, 'app.asar');
    const packed = new Set(asar.listPackage(archive, { isPack: false }).map((path) => path.split(sep).join('/')));
    const bundles = ['/out/main/index.js', '/out/main/worker.js', '/out/preload/index.cjs', '/out/renderer/index.html', '/package.json'];
    expect(bundles.filter((path) => !packed.has(path))).toEqual([]);
    // Source maps and sources stay out; the packaged app runs the bundles only.
    expect([...packed].filter((path) => /^\/(engine|main|renderer|preload|test|e2e)\//.test(path) || (path.startsWith('/out/') && path.endsWith('.map')))).toEqual([]);

    // The renderer's libraries are bundled into out/renderer by electron-vite (devDependencies): none ships twice.
    const rendererOnly = ['vue', 'pinia', '@cornerstonejs/core', '@cornerstonejs/tools'];
    expect(rendererOnly.filter((name) => packed.has(`/node_modules/${name}/package.json`))).toEqual([]);

    const unpacked = listFiles(join(resources, 'app.asar.unpacked'));
    expect(unpacked).toContain('node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node');
    expect(unpacked.filter((path) => path.startsWith('node_modules/@tensorflow/tfjs-backend-wasm/dist/') && path.endsWith('.wasm')).length).toBeGreaterThan(0);
    // Every native addon is marked unpacked in the archive's index: a native loader cannot read inside app.asar.
    expect([...packed].filter((path) => path.endsWith('.node') && asar.statFile(archive, path.slice(1)).unpacked !== true)).toEqual([]);

    expect(existsSync(join(resources, 'resources', 'sample', 'LICENSE.md'))).toBe(true);
    expect(listFiles(join(resources, 'resources', 'genomes')).filter((path) => path.endsWith('.json')).length).toBeGreaterThan(0);
    expect(listFiles(join(resources, 'resources', 'sample')).filter((path) => path.startsWith('imagesTr/')).length).toBe(10);
  });
});
