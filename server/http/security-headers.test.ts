import { describe, expect, it } from 'vitest';
import { REMOTE_HEADER } from '../auth/client-ip';
import { newNonce, pageCsp, servedOverHttps } from './security-headers';

const headers = (h: Record<string, string>) => new Headers(h);

describe('servedOverHttps', () => {
  it('believes an https PUBLIC_URL', () => {
    expect(servedOverHttps(headers({}), 'https://console.example.com', [])).toBe(true);
  });

  it('believes X-Forwarded-Proto only from a trusted proxy', () => {
    const fromProxy = headers({ [REMOTE_HEADER]: '::ffff:10.0.0.2', 'x-forwarded-proto': 'https' });
    expect(servedOverHttps(fromProxy, 'http://console', ['10.0.0.2'])).toBe(true);
    expect(servedOverHttps(fromProxy, undefined, [])).toBe(false);
    const fromClient = headers({ [REMOTE_HEADER]: '203.0.113.9', 'x-forwarded-proto': 'https' });
    expect(servedOverHttps(fromClient, undefined, ['10.0.0.2'])).toBe(false);
  });

  it('takes the nearest proxy’s word when the header was appended to', () => {
    const h = headers({ [REMOTE_HEADER]: '10.0.0.2', 'x-forwarded-proto': 'https, http' });
    expect(servedOverHttps(h, undefined, ['10.0.0.2'])).toBe(false);
  });
});

describe('pageCsp', () => {
  it('is nonce-based with strict-dynamic and no unsafe script sources in production', () => {
    const csp = pageCsp('abc123', { https: false, dev: false });
    expect(csp).toContain("script-src 'self' 'nonce-abc123' 'strict-dynamic'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    for (const d of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"]) expect(csp).toContain(d);
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(pageCsp('n', { https: true, dev: false })).toContain('upgrade-insecure-requests');
    expect(pageCsp('n', { https: false, dev: true })).toContain("'unsafe-eval'");
  });

  it('uses a fresh, unguessable nonce each time', () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    expect([...nonces][0]).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });
});
