/**
 * How the stores reach the services: App.vue hands them the page's transport (renderer/src/transport)
 * once at start; tests hand them the services directly. This module touches no DOM, so the stores
 * that use it run (and type-check) in Node too.
 */
import type { VoxnasApi } from '../../../main/contract/index.ts';

let source: (() => VoxnasApi) | null = null;

/** Called once by App.vue with the transport's `requireApi` (which throws, with what to do, when no services are connected). */
export function provideApi(get: () => VoxnasApi): void {
  source = get;
}

/** The contract's API for a store action; throws when none was provided (a page without services). */
export function useApi(): VoxnasApi {
  if (!source) throw new Error('No VoxNAS services are connected: start the desktop app (`npm start`) or `npm run serve` and open the link it prints.');
  return source();
}
