/**
 * The built renderer as the browser-mode server serves it: the same files as the app:// protocol
 * (main/services/static-files.ts) and the same CSP, widened only by our own WebSocket origin, plus
 * meta tags in index.html that tell the renderer to use the HTTP transport (and where workspaces go).
 */
import { CONTENT_SECURITY_POLICY } from '../security.ts';
import { readStaticFile, type StaticFileResult } from '../services/static-files.ts';
import { allowedHosts } from './access.ts';

/**
 * The renderer looks for this meta tag (renderer/src/transport/index.ts): present means "served by
 * `npm run serve`, talk HTTP to the page's own origin"; absent and without a preload means no
 * services at all, so a page opened on its own never makes requests that are bound to fail.
 */
export const BROWSER_MODE_MARKER = '<meta name="voxnas-transport" content="http">';

/** Facts about the server the page needs before its first request. */
export interface PageFacts {
  /** `--workspace-root`: where the page suggests new workspaces (the browser cannot browse the server's disk). */
  workspaceRoot?: string | undefined;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function pageMetaTags(facts: PageFacts): string[] {
  const tags = [BROWSER_MODE_MARKER];
  if (facts.workspaceRoot) tags.push(`<meta name="voxnas-workspace-root" content="${escapeAttribute(facts.workspaceRoot)}">`);
  return tags;
}

/** The app's CSP with `ws://` of our own host names in connect-src (the event socket). */
export function browserModeCsp(port: number): string {
  const sockets = allowedHosts(port).map((host) => `ws://${host}`);
  return CONTENT_SECURITY_POLICY.split(';')
    .map((directive) => directive.trim())
    .map((directive) => (directive.startsWith('connect-src ') ? [directive, ...sockets].join(' ') : directive))
    .join('; ');
}

/** index.html with the browser-mode meta tags in its head; other files unchanged. */
export function markBrowserMode(urlPath: string, file: StaticFileResult, facts: PageFacts = {}): StaticFileResult {
  if (file.status !== 200 || !file.contentType.startsWith('text/html')) return file;
  const html = file.body.toString('utf8');
  const at = html.search(/<\/head>/i);
  if (at < 0) throw new Error(`The renderer page ${urlPath} has no </head>: rebuild the renderer with \`npm run build\`.`);
  const tags = pageMetaTags(facts).map((tag) => `  ${tag}\n`).join('');
  return { ...file, body: Buffer.from(`${html.slice(0, at)}${tags}${html.slice(at)}`, 'utf8') };
}

/** Reads a file of the built renderer for the browser-mode server. */
export async function readRendererFile(rendererDir: string, urlPath: string, facts: PageFacts = {}): Promise<StaticFileResult> {
  return markBrowserMode(urlPath, await readStaticFile(rendererDir, urlPath), facts);
}
