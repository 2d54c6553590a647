import { fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { WorkerReply } from '../engine/api/worker-messages.ts';

describe('npm run build (no Electron binary needed)', () => {
  it('produces the main, worker, preload and renderer bundles', () => {
    const bundles = ['out/main/index.js', 'out/main/worker.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
    expect(bundles.filter((path) => !existsSync(path))).toEqual([]);
  });

  it('the preload bundle is CommonJS (required by sandboxed preloads) and requires nothing but electron', () => {
    const preload = readFileSync('out/preload/index.cjs', 'utf8');
    expect([...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((match) => match[1])).toEqual(['electron']);
    expect(preload).not.toMatch(/^\s*import\s/m);
  });

  it('the main process bundle stays light: no TensorFlow.js or onnxruntime at start-up (they belong in the worker)', () => {
    const main = readFileSync('out/main/index.js', 'utf8');
    const imported = [...main.matchAll(/from "([^"]+)"/g)].map((match) => match[1]!);
    expect(imported.filter((source) => /tensorflow|onnxruntime|dcmjs|codec/.test(source))).toEqual([]);
  });

  it('the built worker runs under child_process.fork and answers hello', async () => {
    const child = fork('out/main/worker.js', { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    try {
      const reply = once(child, 'message');
      child.send({ type: 'hello', id: 'built' });
      const [message] = (await reply) as [WorkerReply];
      expect(message).toMatchObject({ type: 'ready', id: 'built', transport: 'node-fork', pid: child.pid });
    } finally {
      child.kill();
    }
  });
});
