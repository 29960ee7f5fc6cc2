import { describe, expect, it } from 'vitest';
import { portEntry, proxyPortsSchema, upstreamAddress } from './proxy-ports';

describe('proxyPortsSchema', () => {
  it('takes ports 1 to 65535 and the loopback bind of a proxy behind another proxy', () => {
    expect(proxyPortsSchema.parse({ bind: '127.0.0.1', http: '8080', https: 8443 })).toEqual({ bind: '127.0.0.1', http: 8080, https: 8443 });
  });

  it.each([
    [{ bind: '', http: 0, https: 443 }, 'http'],
    [{ bind: '', http: 80, https: 65536 }, 'https'],
    [{ bind: '', http: 80.5, https: 443 }, 'http'],
    [{ bind: '10.0.0.1', http: 80, https: 443 }, 'bind'],
    [{ bind: '', http: 8080, https: 8080 }, 'https'],
  ])('refuses %j at %s', (input, field) => {
    const r = proxyPortsSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual([field]);
  });

  it('refuses unknown fields (strict)', () => {
    expect(proxyPortsSchema.safeParse({ bind: '', http: 80, https: 443, extra: 1 }).success).toBe(false);
  });
});

describe('portEntry and upstreamAddress', () => {
  it('writes compose’s short syntax, bracketing ::', () => {
    expect(portEntry('', 8080, 80)).toBe('8080:80');
    expect(portEntry('127.0.0.1', 8443, 443)).toBe('127.0.0.1:8443:443');
    expect(portEntry('::', 8080, 80)).toBe('[::]:8080:80');
  });

  it('points an upstream on this host at the published port', () => {
    expect(upstreamAddress({ bind: '127.0.0.1', http: 8080, https: 8443 })).toBe('127.0.0.1:8080');
    expect(upstreamAddress({ bind: '', http: 80, https: 443 })).toBe('tale-server:80');
  });
});
