/// <reference types="vite/client" />
import type { VoxnasApi } from '../../main/contract/index.ts';

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

declare global {
  interface Window {
    /** Defined by the Electron preload; absent when the page runs without a backend. */
    voxnas?: VoxnasApi;
  }
}
