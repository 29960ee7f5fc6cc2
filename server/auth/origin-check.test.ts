import { describe, expect, it } from 'vitest';
import { sameOriginAction, sameOriginRequest, type OriginInput } from './origin-check';

const base: OriginInput = { method: 'POST', origin: null, secFetchSite: null, host: 'console.example.com:8443', publicUrl: undefined };

describe('sameOriginRequest', () => {
  it('lets safe methods through whatever their origin', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'get']) {
      expect(sameOriginRequest({ ...base, method, origin: 'https://evil.example' })).toBe(true);
    }
  });

  it('accepts an unsafe request whose Origin matches the Host header', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(sameOriginRequest({ ...base, method, origin: 'https://console.example.com:8443' })).toBe(true);
    }
    expect(sameOriginRequest({ ...base, origin: 'http://Console.Example.com:8443' })).toBe(true);
  });

  it('refuses another origin, another port, an opaque origin and a non-web scheme', () => {
    for (const origin of ['https://evil.example', 'https://console.example.com', 'https://console.example.com:8444', 'null', 'file://console.example.com:8443', 'not a url']) {
      expect(sameOriginRequest({ ...base, origin })).toBe(false);
    }
  });

  it('uses PUBLIC_URL instead of the Host header when it is set', () => {
    const publicUrl = 'https://tale.example.org/';
    expect(sameOriginRequest({ ...base, publicUrl, origin: 'https://tale.example.org' })).toBe(true);
    expect(sameOriginRequest({ ...base, publicUrl, origin: 'http://tale.example.org' })).toBe(false);
    // A forged Host header does not help once the public origin is known.
    expect(sameOriginRequest({ ...base, publicUrl, host: 'evil.example', origin: 'https://evil.example' })).toBe(false);
  });

  it('without Origin, trusts only Sec-Fetch-Site: same-origin', () => {
    expect(sameOriginRequest({ ...base, secFetchSite: 'same-origin' })).toBe(true);
    for (const secFetchSite of ['same-site', 'cross-site', 'none', null]) expect(sameOriginRequest({ ...base, secFetchSite })).toBe(false);
  });

  it('lets a mismatched Origin win over a same-origin Sec-Fetch-Site', () => {
    expect(sameOriginRequest({ ...base, origin: 'https://evil.example', secFetchSite: 'same-origin' })).toBe(false);
  });

  it('refuses when there is no Host header to compare with', () => {
    expect(sameOriginRequest({ ...base, host: null, origin: 'https://console.example.com:8443' })).toBe(false);
  });
});

describe('sameOriginAction', () => {
  const action = { origin: null, host: 'console.example.com:8443', publicUrl: undefined };

  it('accepts the console’s own origin, from the Host header or PUBLIC_URL', () => {
    expect(sameOriginAction({ ...action, origin: 'http://console.example.com:8443' })).toBe(true);
    expect(sameOriginAction({ ...action, publicUrl: 'https://tale.example.org', origin: 'https://tale.example.org' })).toBe(true);
  });

  it('refuses a missing Origin, which the route handlers’ rule would let Fetch Metadata excuse', () => {
    expect(sameOriginAction(action)).toBe(false);
    expect(sameOriginAction({ ...action, publicUrl: 'https://tale.example.org' })).toBe(false);
  });

  it('refuses a foreign or opaque origin', () => {
    for (const origin of ['https://evil.example', 'null', 'http://console.example.com:8444']) expect(sameOriginAction({ ...action, origin })).toBe(false);
    expect(sameOriginAction({ ...action, publicUrl: 'https://tale.example.org', origin: 'http://console.example.com:8443' })).toBe(false);
  });
});
