import { defineStore } from 'pinia';
import type { AppInfo } from '../../../main/contract/index.ts';
import { getBackend, type TransportKind } from '../transport/index.ts';

/**
 * Connection to the services: through the Electron preload (desktop), over HTTP from a page served
 * by `npm run serve` (browser mode), or none (a page opened on its own).
 */
export const useBackendStore = defineStore('backend', {
  state: () => ({
    status: 'connecting' as 'connecting' | 'connected' | 'offline' | 'error',
    transport: 'none' as TransportKind,
    info: null as AppInfo | null,
    error: null as string | null,
  }),
  getters: {
    /** How the app runs, in the words the status bar shows. */
    modeLabel: (state) => ({ desktop: 'desktop', browser: 'browser mode', none: 'no services' })[state.transport],
  },
  actions: {
    async connect() {
      const { kind, api } = getBackend();
      this.transport = kind;
      if (!api) {
        this.status = 'offline';
        return;
      }
      try {
        this.info = await api.invoke('app.info', {});
        this.status = 'connected';
      } catch (error) {
        this.status = 'error';
        this.error = error instanceof Error ? error.message : String(error);
      }
    },
  },
});
