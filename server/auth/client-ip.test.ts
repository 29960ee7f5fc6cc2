import { expect, it } from 'vitest';
import { clientIp, REMOTE_HEADER } from './client-ip';

const h = (o: Record<string, string>) => new Headers(o);

it('uses the socket address and ignores a forged X-Forwarded-For from an untrusted peer', () => {
  expect(clientIp(h({ [REMOTE_HEADER]: '203.0.113.9', 'x-forwarded-for': '10.0.0.1' }), [])).toBe('203.0.113.9');
  expect(clientIp(h({ [REMOTE_HEADER]: '::ffff:127.0.0.1' }), [])).toBe('127.0.0.1');
});

it('follows X-Forwarded-For only through trusted proxies', () => {
  const headers = h({ [REMOTE_HEADER]: '127.0.0.1', 'x-forwarded-for': '198.51.100.7, 192.0.2.1, 10.0.0.2' });
  expect(clientIp(headers, ['127.0.0.1'])).toBe('10.0.0.2');
  expect(clientIp(headers, ['127.0.0.1', '10.0.0.2'])).toBe('192.0.2.1');
  expect(clientIp(h({}), [])).toBe('unknown');
});
