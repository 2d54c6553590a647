/**
 * Security settings of the desktop shell, as data and pure functions so that tests can assert them
 * without Electron: the CSP, the app:// scheme and its privileges, webPreferences, which senders may
 * use IPC, where a window may navigate, which links open outside, and the permission policy.
 * main/index.ts applies them; nothing here imports electron.
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

/**
 * Privileges of app:// (protocol.registerSchemesAsPrivileged): a standard, secure origin so that
 * 'self' in the CSP, fetch of our own WASM files and the code cache work; no bypass of the CSP, no CORS.
 */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true, codeCache: true } as const;

/** Headers of every app:// response. */
export function appResponseHeaders(contentType: string): Record<string, string> {
  return { 'content-type': contentType, 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-content-type-options': 'nosniff' };
}

/**
 * webPreferences of every window: the renderer gets no Node and only the contract through the preload;
 * developer tools only in development.
 */
export function secureWebPreferences(preloadPath: string, options: { development?: boolean } = {}) {
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
    devTools: options.development === true,
  } as const;
}

function parseUrl(value: string | undefined): URL | null {
  if (!value) return null;
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/** Whether a URL belongs to our own renderer: app://voxnas, or the dev server's origin in development. */
function isOwnUrl(value: string | undefined, devServerUrl: string | undefined): boolean {
  const url = parseUrl(value);
  if (url === null) return false;
  if (url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST) return true;
  const dev = parseUrl(devServerUrl);
  return dev !== null && url.origin === dev.origin;
}

/** Whether an IPC message comes from our own renderer (app:// in production, the dev server in development). */
export function isTrustedSender(senderUrl: string | undefined, devServerUrl: string | undefined): boolean {
  return isOwnUrl(senderUrl, devServerUrl);
}

/** A window may navigate only within our own renderer; anything else is prevented. */
export function isAllowedNavigation(url: string, devServerUrl: string | undefined): boolean {
  return isOwnUrl(url, devServerUrl);
}

/**
 * What to do with a request for a new window: always deny it; an https link (documentation) may open
 * in the user's browser instead. Returns the URL to open externally, or null.
 */
export function externalLinkFor(url: string): string | null {
  const parsed = parseUrl(url);
  return parsed !== null && parsed.protocol === 'https:' ? parsed.href : null;
}

/**
 * The permission policy: the renderer needs no camera, microphone, geolocation, notifications,
 * clipboard reading, MIDI, HID, serial or any other permission, so every request and check is denied.
 */
export const ALLOWED_PERMISSIONS: readonly string[] = [];

export function isPermissionAllowed(permission: string): boolean {
  return ALLOWED_PERMISSIONS.includes(permission);
}
