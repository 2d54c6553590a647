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
        },
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
    build: {
      outDir: resolve(root, 'out/renderer'),
      rolldownOptions: { input: { index: resolve(root, 'renderer/index.html') } },
    },
  },
});
