import { resolve } from 'node:path';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';

const root = import.meta.dirname;

/**
 * Four bundles, all built without an Electron binary:
 *   out/main/index.js      Electron main process (ES module)
 *   out/main/worker.js     job worker: an Electron utilityProcess, or child_process.fork in browser mode
 *   out/preload/index.cjs  sandboxed preload (sandboxed preloads must be CommonJS)
 *   out/renderer/          the Vue application
 */
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rolldownOptions: {
        input: {
          index: resolve(root, 'main/index.ts'),
          worker: resolve(root, 'engine/runtime/worker.ts'),
          // The worker's own helper processes (engine/runtime/typescript-child.ts childEntry finds
          // the .js next to the chunk that starts it).
          'batch-worker': resolve(root, 'engine/train/batch-worker.ts'),
          'preprocess-worker': resolve(root, 'engine/data/preprocess/preprocess-worker.ts'),
          'search-worker': resolve(root, 'engine/search/search-worker.ts'),
        },
        // Chunks next to the entries: engine code finds resources/ two levels up and its helper
        // entries as siblings, the same from engine/<dir>/ in the source tree and out/main/ here.
        output: { chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rolldownOptions: {
        input: { index: resolve(root, 'preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [vue()],
    // Cornerstone3D pulls in xmlbuilder2, which extends Node's EventEmitter at load: a small browser one (see the file).
    resolve: { alias: { events: resolve(root, 'renderer/src/components/viewer/events-shim.ts') } },
    build: {
      outDir: resolve(root, 'out/renderer'),
      rolldownOptions: { input: { index: resolve(root, 'renderer/index.html') } },
    },
  },
});
