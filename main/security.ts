/**
 * Security settings of the desktop shell, as data so that tests can assert them without Electron.
 */

/** Works with Cornerstone3D (WASM codecs, blob workers); no remote origins, no inline scripts. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The custom scheme the renderer is served from (never file://, never a remote URL). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'voxnas';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** webPreferences of every window: the renderer gets no Node and only the contract through the preload. */
export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  } as const;
}

/** Whether an IPC message comes from our own renderer (app:// in production, the dev server in development). */
export function isTrustedSender(senderUrl: string | undefined, devServerUrl: string | undefined): boolean {
  if (!senderUrl) return false;
  let url: URL;
  try {
    url = new URL(senderUrl);
  } catch {
    return false;
  }
  if (url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST) return true;
  return devServerUrl !== undefined && url.origin === new URL(devServerUrl).origin;
}
