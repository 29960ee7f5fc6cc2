import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryPoints, type EntryPoint } from '../support/entry-points';
import { startConsole, type RunningConsole } from '../support/console';

// The security headers on every page and route handler the source tree has (found the same way as
// the authorisation matrix), and HSTS only when a trusted proxy says the browser used https.

let app: RunningConsole;

beforeAll(async () => {
  // The test talks to the console from loopback, so loopback plays the trusted TLS-terminating proxy.
  app = await startConsole({ env: { TRUSTED_PROXIES: '127.0.0.1' } });
}, 300_000);

afterAll(async () => {
  await app?.stop();
});

const BASELINE = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

function directives(csp: string): Map<string, string> {
  return new Map(csp.split(';').map((d) => d.trim()).filter(Boolean).map((d) => [d.split(/\s+/)[0]!, d.slice(d.indexOf(' ') + 1)]));
}

function expectBaseline(res: Response, what: string) {
  for (const [name, value] of Object.entries(BASELINE)) expect(res.headers.get(name), `${name} on ${what}`).toBe(value);
  expect(res.headers.get('permissions-policy'), what).toMatch(/camera=\(\)/);
  expect(res.headers.get('strict-transport-security'), `no HSTS over plain http on ${what}`).toBeNull();
}

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${app.baseURL}${path}`, { headers: { Cookie: app.cookie, ...headers }, redirect: 'manual', signal: AbortSignal.timeout(15_000) });

describe('pages', () => {
  const pages = entryPoints().filter((ep): ep is Extract<EntryPoint, { kind: 'page' }> => ep.kind === 'page');
  for (const ep of pages) {
    it(`${ep.url} carries a nonce-based CSP that Next applied to its scripts`, async () => {
      const res = await get(ep.url);
      expectBaseline(res, ep.url);
      const csp = directives(res.headers.get('content-security-policy') ?? '');
      const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp.get('script-src') ?? '')?.[1];
      expect(nonce, ep.url).toBeTruthy();
      expect(csp.get('script-src')).toContain("'strict-dynamic'");
      expect(csp.get('script-src')).not.toContain('unsafe');
      expect(csp.get('object-src')).toBe("'none'");
      expect(csp.get('base-uri')).toBe("'none'");
      expect(csp.get('frame-ancestors')).toBe("'none'");
      expect(csp.get('form-action')).toBe("'self'");
      const html = await res.text();
      if (res.status === 200) {
        const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
        expect(scripts.length, ep.url).toBeGreaterThan(0);
        for (const tag of scripts) expect(tag, ep.url).toContain(`nonce="${nonce}"`);
      }
    });
  }

  it('uses a fresh nonce for every response', async () => {
    const nonces = await Promise.all([1, 2, 3].map(async () => (await get('/login')).headers.get('content-security-policy')));
    expect(new Set(nonces).size).toBe(3);
  });
});

describe('route handlers', () => {
  const routes = entryPoints().filter((ep): ep is Extract<EntryPoint, { kind: 'route' }> => ep.kind === 'route' && ep.methods.includes('GET'));
  for (const ep of routes) {
    it(`GET ${ep.url} carries the baseline and a CSP that allows nothing`, async () => {
      const res = await get(ep.url);
      await res.body?.cancel();
      expectBaseline(res, ep.url);
      const csp = directives(res.headers.get('content-security-policy') ?? '');
      expect(csp.get('default-src'), ep.url).toBe("'none'");
      expect(csp.get('frame-ancestors'), ep.url).toBe("'none'");
    });
  }
});

describe('HSTS', () => {
  it('is sent when the trusted proxy says the browser used https, for pages and the API', async () => {
    for (const path of ['/login', '/api/health/live']) {
      const res = await get(path, { 'X-Forwarded-Proto': 'https' });
      await res.body?.cancel();
      expect(res.headers.get('strict-transport-security'), path).toMatch(/^max-age=31536000/);
    }
    const page = await get('/login', { 'X-Forwarded-Proto': 'https' });
    expect(page.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
  });

  it('is not sent over plain http', async () => {
    const res = await get('/login', { 'X-Forwarded-Proto': 'http' });
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });
});
