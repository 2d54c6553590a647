import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

/** Lints source text as if it were the file at `path`, and returns the layering messages. */
async function layeringErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'voxnas/layering').map((message) => /^Layering: (.*?\)): /.exec(message.message)?.[1] ?? message.message);
}

describe('npm run lint enforces the layering of the architecture guide', () => {
  it('catches each forbidden import, and allows the permitted ones', async () => {
    const cases: [path: string, code: string][] = [
      // engine/: no electron, UI libraries, main/, renderer/, preload/
      ['engine/io/fixture.ts', "import { app } from 'electron';\nexport const x = app;"],
      ['engine/io/fixture.ts', "import { ref } from 'vue';\nexport const x = ref;"],
      ['engine/io/fixture.ts', "import { getAppInfo } from '../../main/services/app-info.ts';\nexport const x = getAppInfo;"],
      ['engine/io/fixture.ts', "export const load = () => import('../../renderer/src/main.ts');"],
      ['engine/io/fixture.ts', "import { readFile } from 'node:fs/promises';\nimport * as tf from '@tensorflow/tfjs';\nexport const x = [readFile, tf];"],
      ['engine/io/fixture.ts', "import { RenderingEngine } from '@cornerstonejs/core';\nimport codec from '@cornerstonejs/codec-charls';\nexport const x = [RenderingEngine, codec];"],
      // renderer/: no Node built-ins, no engine runtime code; types from the contract and engine/api are fine
      ['renderer/src/fixture.ts', "import fs from 'fs';\nexport const x = fs;"],
      ['renderer/src/fixture.ts', "import { VOXNAS_VERSION } from '../../engine/index.ts';\nexport const x = VOXNAS_VERSION;"],
      ['renderer/src/fixture.ts', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;"],
      ['renderer/src/fixture.ts', "import type { AppInfo } from '../../main/contract/index.ts';\nimport type { WorkerReply } from '../../engine/api/worker-messages.ts';\nexport type X = [AppInfo, WorkerReply];"],
      // preload/: only electron and the contract
      ['preload/fixture.ts', "import { contextBridge } from 'electron';\nimport { commandChannel } from '../main/contract/index.ts';\nexport const x = [contextBridge, commandChannel];"],
      ['preload/fixture.ts', "import { readFile } from 'node:fs';\nexport const x = readFile;"],
      // main/services: no electron; main/ only through the engine's public entry
      ['main/services/fixture.ts', "import { dialog } from 'electron';\nexport const x = dialog;"],
      ['main/fixture.ts', "import { serveWorker } from '../engine/runtime/worker-session.ts';\nexport const x = serveWorker;"],
      ['main/fixture.ts', "import { app } from 'electron';\nimport { VOXNAS_VERSION } from '../engine/index.ts';\nexport const x = [app, VOXNAS_VERSION];"],
    ];
    const results = await Promise.all(cases.map(async ([path, code]) => [path, await layeringErrors(path, code)]));
    expect(results).toEqual([
      ['engine/io/fixture.ts', ["'electron' may not be imported here (engine)"]],
      ['engine/io/fixture.ts', ["'vue' may not be imported here (engine)"]],
      ['engine/io/fixture.ts', ["'../../main/services/app-info.ts' may not be imported here (engine)"]],
      ['engine/io/fixture.ts', ["'../../renderer/src/main.ts' may not be imported here (engine)"]],
      ['engine/io/fixture.ts', []],
      ['engine/io/fixture.ts', ["'@cornerstonejs/core' may not be imported here (engine)"]],
      ['renderer/src/fixture.ts', ["'fs' may not be imported here (renderer)"]],
      ['renderer/src/fixture.ts', ["'../../engine/index.ts' may not be imported here (renderer)"]],
      ['renderer/src/fixture.ts', ["'electron' may not be imported here (renderer)"]],
      ['renderer/src/fixture.ts', []],
      ['preload/fixture.ts', []],
      ['preload/fixture.ts', ["'node:fs' may not be imported here (preload)"]],
      ['main/services/fixture.ts', ["'electron' may not be imported here (services)"]],
      ['main/fixture.ts', ["'../engine/runtime/worker-session.ts' may not be imported here (main)"]],
      ['main/fixture.ts', []],
    ]);
  });

  it('a Vue component importing a Node built-in fails lint through the Vue parser', async () => {
    const component = `<script setup lang="ts">\nimport { readFileSync } from 'node:fs';\nconst text = readFileSync;\n</script>\n<template><p>{{ text }}</p></template>\n`;
    expect(await layeringErrors('renderer/src/components/Fixture.vue', component)).toEqual(["'node:fs' may not be imported here (renderer)"]);
  });

  it('the engine may not use the DOM', async () => {
    const [result] = await eslint.lintText('export const width = window.innerWidth;\n', { filePath: 'engine/io/fixture.ts' });
    expect(result?.messages.map((message) => message.ruleId)).toEqual(['no-restricted-globals']);
  });
});
