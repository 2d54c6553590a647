import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { menuTemplate } from '../../main/menu.ts';
import {
  ALLOWED_PERMISSIONS,
  APP_SCHEME_PRIVILEGES,
  appResponseHeaders,
  CONTENT_SECURITY_POLICY,
  externalLinkFor,
  isAllowedNavigation,
  isPermissionAllowed,
  isTrustedSender,
  secureWebPreferences,
} from '../../main/security.ts';

describe('desktop shell security settings', () => {
  it('every window is isolated and sandboxed, with no Node in the renderer and developer tools only in development', () => {
    const production = {
      preload: '/app/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      devTools: false,
    };
    expect(secureWebPreferences('/app/preload/index.cjs')).toEqual(production);
    expect(secureWebPreferences('/app/preload/index.cjs', { development: true })).toEqual({ ...production, devTools: true });
  });

  it('the CSP allows our own scripts and WASM (Cornerstone codecs), nothing remote and no inline script; every app:// response carries it', () => {
    const directives = Object.fromEntries(
      CONTENT_SECURITY_POLICY.split(';').map((directive) => {
        const [name, ...values] = directive.trim().split(/\s+/);
        return [name, values];
      }),
    );
    expect(directives).toEqual({
      'default-src': ["'self'"],
      'script-src': ["'self'", "'wasm-unsafe-eval'"],
      'worker-src': ["'self'", 'blob:'],
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:', 'blob:'],
      'connect-src': ["'self'", 'blob:'],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
      'frame-ancestors': ["'none'"],
    });
    expect(appResponseHeaders('text/html; charset=utf-8')).toEqual({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
    });
    // A standard, secure scheme; it must not bypass the CSP or open CORS.
    expect(APP_SCHEME_PRIVILEGES).toEqual({ standard: true, secure: true, supportFetchAPI: true, codeCache: true });
  });

  it('IPC is accepted only from our app:// origin (or the dev server in development)', () => {
    const cases = [
      ['app://voxnas/index.html', undefined, true],
      ['app://evil/index.html', undefined, false],
      ['file:///home/user/index.html', undefined, false],
      ['https://example.org/', undefined, false],
      ['http://localhost:5173/', 'http://localhost:5173', true],
      ['http://localhost:5174/', 'http://localhost:5173', false],
      [undefined, undefined, false],
      ['not a url', undefined, false],
    ] as const;
    expect(cases.map(([url, dev]) => isTrustedSender(url, dev))).toEqual(cases.map(([, , trusted]) => trusted));
  });

  it('windows navigate only within the app; new windows are denied and only https links open in the browser', () => {
    const navigations = [
      ['app://voxnas/index.html#/datasets', undefined, true],
      ['app://voxnas.evil.org/', undefined, false],
      ['https://example.org/', undefined, false],
      ['file:///etc/passwd', undefined, false],
      ['javascript:alert(1)', undefined, false],
      ['http://localhost:5173/other', 'http://localhost:5173/', true],
      ['http://localhost:5173/other', undefined, false],
    ] as const;
    expect(navigations.map(([url, dev]) => isAllowedNavigation(url, dev))).toEqual(navigations.map(([, , allowed]) => allowed));
    expect(['https://docs.voxnas.org/start', 'http://example.org/', 'file:///tmp/x', 'app://voxnas/index.html', 'javascript:alert(1)', 'bad'].map(externalLinkFor)).toEqual([
      'https://docs.voxnas.org/start',
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it('every permission request and check is denied', () => {
    const electronPermissions = ['clipboard-read', 'clipboard-sanitized-write', 'display-capture', 'fullscreen', 'geolocation', 'idle-detection', 'media', 'mediaKeySystem', 'midi', 'midiSysex', 'notifications', 'pointerLock', 'keyboardLock', 'openExternal', 'speaker-selection', 'storage-access', 'top-level-storage-access', 'window-management', 'unknown', 'fileSystem', 'hid', 'serial', 'usb'];
    expect(ALLOWED_PERMISSIONS).toEqual([]);
    expect(electronPermissions.filter(isPermissionAllowed)).toEqual([]);
  });

  it('the application menu offers developer tools only in development', () => {
    const roles = (template: MenuItemConstructorOptions[]): string[] =>
      template.flatMap((item) => [...(item.role ? [item.role] : []), ...(item.label ? [item.label] : []), ...(Array.isArray(item.submenu) ? roles(item.submenu) : [])]);
    const actions = { openWorkspace: () => undefined, about: () => undefined };
    const production = roles(menuTemplate({ development: false, platform: 'linux', appName: 'VoxNAS' }, actions));
    const development = roles(menuTemplate({ development: true, platform: 'linux', appName: 'VoxNAS' }, actions));
    expect(production.filter((role) => /devtools|forcereload/i.test(role))).toEqual([]);
    expect(development.filter((role) => /devtools|forcereload/i.test(role))).toEqual(['forceReload', 'toggleDevTools']);
    expect(production.filter((role) => ['File', 'Open Workspace...', 'quit', 'View', 'reload', 'help', 'About VoxNAS'].includes(role))).toEqual(['File', 'Open Workspace...', 'quit', 'View', 'reload', 'help', 'About VoxNAS']);
  });

  it('the menu calls back for Open Workspace and About', () => {
    const calls: string[] = [];
    const template = menuTemplate({ development: false, platform: 'darwin', appName: 'VoxNAS' }, { openWorkspace: () => calls.push('open'), about: () => calls.push('about') });
    const items = (list: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] => list.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? items(item.submenu) : [])]);
    for (const item of items(template)) if (item.click) (item.click as () => void)();
    expect(calls.sort()).toEqual(['about', 'about', 'open']);
  });
});
