/**
 * Who may talk to the browser-mode server: the checks every HTTP request and WebSocket upgrade
 * passes before anything else runs. Pure functions of the request's URL and headers, so that tests
 * can assert them without a socket.
 *
 * - The token: random, >= 128 bits, compared in constant time. It arrives once in the URL
 *   (`/?token=...`, the printed link), is then kept in an HttpOnly SameSite=Strict cookie, or comes
 *   as `Authorization: Bearer ...` from scripts.
 * - The Host header must name our own loopback address and port: a page on another site that
 *   re-points its DNS name at 127.0.0.1 (DNS rebinding) sends its own name and is refused.
 * - State-changing requests (POST) and WebSocket upgrades that carry an Origin must come from our
 *   own origin; browsers always send one there, so another site's page cannot use the cookie.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** 32 random bytes (256 bits), URL-safe. */
export function createToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Equal strings, in time that does not depend on where they differ. */
export function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  // timingSafeEqual needs equal lengths; comparing b with itself keeps the time independent of `given`.
  if (a.length !== b.length) {
    timingSafeEqual(b, b);
    return false;
  }
  return timingSafeEqual(a, b);
}

/** The token cookie's name; per port, because browsers share cookies between ports of one host. */
export function cookieName(port: number): string {
  return `voxnas-token-${port}`;
}

/** The Set-Cookie value that keeps the token for the session (no Max-Age: gone when the browser closes). */
export function tokenCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}

/** The host names (with our port) a request may address us by. */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/** The origins our own pages have. */
export function allowedOrigins(port: number): string[] {
  return allowedHosts(port).map((host) => `http://${host}`);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function cookieValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  for (const part of (header(headers, 'cookie') ?? '').split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return undefined;
}

function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header(headers, 'authorization') ?? '');
  return match?.[1];
}

export type AccessDecision =
  /** Let the request through. */
  | { kind: 'allow' }
  /** A valid token in the URL: set the cookie and redirect to `location` (the same URL without it). */
  | { kind: 'set-cookie'; cookie: string; location: string }
  /** Refuse with this status and a short text saying what to do. */
  | { kind: 'deny'; status: 401 | 403; reason: string };

export interface AccessRequest {
  method: string;
  /** Path and query, as in the request line. */
  url: string;
  headers: IncomingHttpHeaders;
  /** A WebSocket upgrade (never redirected; its Origin is always checked). */
  upgrade: boolean;
}

/**
 * Decides one request. Order: Host first (a rebinding page never learns whether its guess of the
 * token was right), then Origin, then the token from the URL, the cookie or the Authorization header.
 */
export function decideAccess(request: AccessRequest, server: { port: number; token: string }): AccessDecision {
  const host = header(request.headers, 'host')?.toLowerCase();
  if (!host || !allowedHosts(server.port).includes(host)) {
    return { kind: 'deny', status: 403, reason: `Refused: address this server as http://127.0.0.1:${server.port}/ (the Host header was '${host ?? ''}').` };
  }
  const origin = header(request.headers, 'origin');
  const checksOrigin = request.upgrade || request.method.toUpperCase() === 'POST';
  if (checksOrigin && origin !== undefined && !allowedOrigins(server.port).includes(origin.toLowerCase())) {
    return { kind: 'deny', status: 403, reason: `Refused: requests from the page at ${origin} are not accepted; open VoxNAS from the link that \`npm run serve\` printed.` };
  }
  const url = new URL(request.url, `http://${host}`);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null) {
    if (!tokensEqual(fromUrl, server.token)) return deny();
    if (request.upgrade || !['GET', 'HEAD'].includes(request.method.toUpperCase())) return { kind: 'allow' };
    url.searchParams.delete('token');
    return { kind: 'set-cookie', cookie: tokenCookie(server.port, server.token), location: `${url.pathname}${url.search}` };
  }
  const given = bearerToken(request.headers) ?? cookieValue(request.headers, cookieName(server.port));
  return given !== undefined && tokensEqual(given, server.token) ? { kind: 'allow' } : deny();
}

function deny(): AccessDecision {
  return { kind: 'deny', status: 401, reason: 'Unauthorized: open VoxNAS with the link (including ?token=...) that `npm run serve` printed.' };
}
