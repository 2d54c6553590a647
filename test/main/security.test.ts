import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, isTrustedSender, secureWebPreferences } from '../../main/security.ts';

describe('desktop shell security settings', () => {
  it('every window is isolated and sandboxed, with no Node in the renderer', () => {
    expect(secureWebPreferences('/app/preload/index.cjs')).toEqual({
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
    });
  });

  it('the CSP allows our own scripts and WASM (Cornerstone codecs), nothing remote and no inline script', () => {
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
});
