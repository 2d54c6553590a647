import { defineStore } from 'pinia';
import type { AppInfo } from '../../../main/contract/index.ts';

/** Connection to the services: through the Electron preload, or none (a page opened on its own). */
export const useBackendStore = defineStore('backend', {
  state: () => ({
    status: 'connecting' as 'connecting' | 'connected' | 'offline' | 'error',
    info: null as AppInfo | null,
    error: null as string | null,
  }),
  actions: {
    async connect() {
      const api = window.voxnas;
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
