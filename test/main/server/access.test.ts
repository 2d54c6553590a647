import { describe, expect, it } from 'vitest';
import { createToken, decideAccess, tokensEqual, type AccessRequest } from '../../../main/server/access.ts';

const port = 43210;
const token = createToken();
const server = { port, token };
const local = `127.0.0.1:${port}`;

function decide(overrides: Partial<AccessRequest> & { headers?: Record<string, string> }) {
  return decideAccess({ method: 'GET', url: '/', upgrade: false, ...overrides, headers: { host: local, ...overrides.headers } }, server);
}

describe('browser-mode access checks', () => {
  it('tokens are random, URL-safe and at least 128 bits', () => {
    const tokens = new Set(Array.from({ length: 50 }, () => createToken()));
    expect(tokens.size).toBe(50);
    for (const value of tokens) {
      expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(value, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    }
  });

  it('compares tokens exactly, whatever their lengths', () => {
    expect([tokensEqual(token, token), tokensEqual(`${token}x`, token), tokensEqual(token.slice(1), token), tokensEqual('', token), tokensEqual(`x${token.slice(1)}`, token)]).toEqual([
      true,
      false,
      false,
      false,
      false,
    ]);
  });

  it('the first page load with ?token sets an HttpOnly SameSite=Strict cookie and redirects to the URL without it', () => {
    expect(decide({ url: `/?token=${token}` })).toEqual({
      kind: 'set-cookie',
      cookie: `voxnas-token-${port}=${token}; Path=/; HttpOnly; SameSite=Strict`,
      location: '/',
    });
    expect(decide({ url: `/index.html?view=datasets&token=${token}` })).toMatchObject({ kind: 'set-cookie', location: '/index.html?view=datasets' });
  });

  it('accepts the cookie (of this port) or a Bearer header, and refuses everything else with 401', () => {
    const outcomes = {
      cookie: decide({ headers: { cookie: `other=1; voxnas-token-${port}=${token}` } }).kind,
      bearer: decide({ method: 'POST', url: '/api/command/app.info', headers: { authorization: `Bearer ${token}` } }).kind,
      'bearer on a POST with the token in the URL': decide({ method: 'POST', url: `/api/command/app.info?token=${token}` }).kind,
      nothing: decide({}).kind,
      // The last character changed (to one it is not: a random token ends in 'A' one time in 64).
      'wrong token in the URL': decide({ url: `/?token=${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}` }).kind,
      'cookie of another port': decide({ headers: { cookie: `voxnas-token-${port + 1}=${token}` } }).kind,
      'wrong bearer': decide({ headers: { authorization: `Bearer ${createToken()}` } }).kind,
      'basic auth': decide({ headers: { authorization: `Basic ${token}` } }).kind,
    };
    expect(outcomes).toEqual({
      cookie: 'allow',
      bearer: 'allow',
      'bearer on a POST with the token in the URL': 'allow',
      nothing: 'deny',
      'wrong token in the URL': 'deny',
      'cookie of another port': 'deny',
      'wrong bearer': 'deny',
      'basic auth': 'deny',
    });
    expect(decide({})).toMatchObject({ status: 401, reason: expect.stringContaining('npm run serve') });
  });

  it('refuses a Host that is not our loopback address and port (DNS rebinding), even with the token', () => {
    const withToken = { authorization: `Bearer ${token}` };
    const hosts = [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `evil.example:${port}`, `127.0.0.1:${port + 1}`, '127.0.0.1', `0.0.0.0:${port}`, ''];
    expect(hosts.map((host) => [host, decide({ headers: { ...withToken, host } }).kind])).toEqual([
      [`127.0.0.1:${port}`, 'allow'],
      [`localhost:${port}`, 'allow'],
      [`LOCALHOST:${port}`, 'allow'],
      [`evil.example:${port}`, 'deny'],
      [`127.0.0.1:${port + 1}`, 'deny'],
      ['127.0.0.1', 'deny'],
      [`0.0.0.0:${port}`, 'deny'],
      ['', 'deny'],
    ]);
    expect(decide({ headers: { ...withToken, host: 'evil.example' } })).toMatchObject({ status: 403 });
  });

  it('refuses POSTs and WebSocket upgrades from another origin; GETs and scripts without Origin pass with the token', () => {
    const cookie = `voxnas-token-${port}=${token}`;
    const cases: [string, Partial<AccessRequest> & { headers: Record<string, string> }][] = [
      ['POST from our page', { method: 'POST', headers: { cookie, origin: `http://127.0.0.1:${port}` } }],
      ['POST from localhost', { method: 'POST', headers: { cookie, origin: `http://localhost:${port}` } }],
      ['POST from another site', { method: 'POST', headers: { cookie, origin: 'https://evil.example' } }],
      ['POST from another port', { method: 'POST', headers: { cookie, origin: `http://127.0.0.1:${port + 1}` } }],
      ['POST from a sandboxed frame', { method: 'POST', headers: { cookie, origin: 'null' } }],
      ['POST from a script without Origin', { method: 'POST', headers: { authorization: `Bearer ${token}` } }],
      ['WebSocket from our page', { upgrade: true, url: '/api/events', headers: { cookie, origin: `http://127.0.0.1:${port}` } }],
      ['WebSocket from another site', { upgrade: true, url: '/api/events', headers: { cookie, origin: 'http://evil.example' } }],
      ['WebSocket without the token', { upgrade: true, url: '/api/events', headers: { origin: `http://127.0.0.1:${port}` } }],
      ['GET of an asset', { headers: { cookie, origin: 'https://evil.example' } }],
    ];
    expect(cases.map(([name, request]) => [name, decide(request).kind])).toEqual([
      ['POST from our page', 'allow'],
      ['POST from localhost', 'allow'],
      ['POST from another site', 'deny'],
      ['POST from another port', 'deny'],
      ['POST from a sandboxed frame', 'deny'],
      ['POST from a script without Origin', 'allow'],
      ['WebSocket from our page', 'allow'],
      ['WebSocket from another site', 'deny'],
      ['WebSocket without the token', 'deny'],
      ['GET of an asset', 'allow'],
    ]);
  });
});
