import { describe, expect, it } from 'vitest';
import { envValueSchemaOf } from '@/lib/settings/env-catalog';
import { maskUrl, serviceUrls, serviceUrlWarnings } from './service-urls';

describe('serviceUrls', () => {
  it('builds POSTGRES_URL without a database and the two knowledge URLs with one', () => {
    expect(serviceUrls({ host: 'pg.example.com', port: 5432, role: 'tale', password: 'abc', sslMode: 'disable' })).toEqual({
      POSTGRES_URL: 'postgresql://tale:abc@pg.example.com:5432',
      RAG_DATABASE_URL: 'postgresql://tale:abc@pg.example.com:5432/tale_knowledge',
      CRAWLER_DATABASE_URL: 'postgresql://tale:abc@pg.example.com:5432/tale_knowledge',
    });
  });

  it('URL-encodes the password so it reads back exactly', () => {
    const password = "p@ss:w/rd?#%&=+ 'é\"";
    const urls = serviceUrls({ host: '10.0.0.5', port: 6543, role: 'tale', password, sslMode: 'disable' });
    const parsed = new URL(urls.RAG_DATABASE_URL);
    expect(decodeURIComponent(parsed.password)).toBe(password);
    expect(parsed.hostname).toBe('10.0.0.5');
    expect(parsed.port).toBe('6543');
    expect(parsed.pathname).toBe('/tale_knowledge');
  });

  it('brackets IPv6 hosts', () => {
    expect(serviceUrls({ host: 'fd00::5', port: 5432, role: 'tale', password: 'x', sslMode: 'disable' }).POSTGRES_URL).toBe(
      'postgresql://tale:x@[fd00::5]:5432',
    );
  });

  it('carries sslmode through, and the .env schema accepts the result', () => {
    const urls = serviceUrls({ host: 'pg', port: 5432, role: 'tale', password: 'x', sslMode: 'require' });
    expect(urls.POSTGRES_URL).toBe('postgresql://tale:x@pg:5432?sslmode=require');
    expect(urls.CRAWLER_DATABASE_URL).toBe('postgresql://tale:x@pg:5432/tale_knowledge?sslmode=require');
    for (const key of ['POSTGRES_URL', 'RAG_DATABASE_URL', 'CRAWLER_DATABASE_URL'] as const) {
      expect(envValueSchemaOf(key)!.safeParse(urls[key]).success).toBe(true);
    }
  });

  it('refuses a role that is not an identifier', () => {
    expect(() => serviceUrls({ host: 'pg', port: 5432, role: 'a@b', password: 'x', sslMode: 'disable' })).toThrow();
  });

  it('masks passwords', () => {
    expect(maskUrl('postgresql://tale:s3cr%40t@pg:5432/tale_knowledge')).toBe('postgresql://tale:••••••@pg:5432/tale_knowledge');
  });
});

describe('serviceUrlWarnings', () => {
  it('says nothing for a plaintext server', () => {
    expect(serviceUrlWarnings({ sslMode: 'disable', tlsRequired: false })).toEqual([]);
  });
  it('warns about the appended ?sslmode=disable when the server requires TLS', () => {
    const w = serviceUrlWarnings({ sslMode: 'require', tlsRequired: true });
    expect(w.join(' ')).toMatch(/\?sslmode=disable/);
    expect(w.join(' ')).toMatch(/refuses unencrypted connections/);
  });
});
