import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../../main/security.ts';
import { browserModeCsp, markBrowserMode } from '../../../main/server/renderer-files.ts';

const page = (html: string) => ({ status: 200 as const, body: Buffer.from(html), contentType: 'text/html; charset=utf-8' });

describe('the renderer as browser mode serves it', () => {
  it('keeps the app CSP and adds only our own WebSocket origins to connect-src', () => {
    const app = CONTENT_SECURITY_POLICY.split('; ');
    const served = browserModeCsp(8765).split('; ');
    expect(served.filter((directive) => !app.includes(directive))).toEqual(["connect-src 'self' blob: ws://127.0.0.1:8765 ws://localhost:8765"]);
    expect(served.length).toBe(app.length);
  });

  it('marks index.html for the HTTP transport, with the workspace root escaped; other files pass unchanged', () => {
    const marked = markBrowserMode('/', page('<html><head><title>VoxNAS</title></head><body></body></html>'), { workspaceRoot: '/data/"studies" & <more>' });
    expect(marked.body.toString()).toBe(
      '<html><head><title>VoxNAS</title>  <meta name="voxnas-transport" content="http">\n  <meta name="voxnas-workspace-root" content="/data/&quot;studies&quot; &amp; &lt;more&gt;">\n</head><body></body></html>',
    );
    const script = { status: 200 as const, body: Buffer.from('</head>'), contentType: 'text/javascript; charset=utf-8' };
    expect(markBrowserMode('/assets/a.js', script)).toBe(script);
    expect(() => markBrowserMode('/', page('<p>no head</p>'))).toThrow(/no <\/head>: rebuild the renderer/);
  });
});
