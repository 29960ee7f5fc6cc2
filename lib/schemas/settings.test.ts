import { describe, expect, it } from 'vitest';
import { MAX_ENV_VALUE_LENGTH, envChangeSchema, imageRefSchema, pinChangeSchema, restoreSchema, validateDomain, validateSettingsEdits } from './settings';

const CURRENT = { HOST: 'tale.example.com', SITE_URL: 'https://tale.example.com', TLS_MODE: 'selfsigned' };

describe('validateSettingsEdits', () => {
  it.each([
    ['newline injection of another key', { HOST: 'a.example.com\nTLS_MODE=external' }, 'HOST'],
    ['carriage return', { FOO: 'x\rBAR=1' }, 'FOO'],
    ['NUL', { FOO: 'a\u0000b' }, 'FOO'],
    ['${} expansion', { FOO: 'x${DB_PASSWORD}' }, 'FOO'],
    ['a wrapping quote', { FOO: '"quoted"' }, 'FOO'],
    ['an unbalanced quote', { FOO: 'it"s' }, 'FOO'],
    ['an oversized value', { FOO: 'x'.repeat(MAX_ENV_VALUE_LENGTH + 1) }, 'FOO'],
    ['http:// SITE_URL with letsencrypt', { TLS_MODE: 'letsencrypt', SITE_URL: 'http://tale.example.com' }, 'SITE_URL'],
    ['a port in SITE_URL', { SITE_URL: 'https://tale.example.com:8443' }, 'SITE_URL'],
    ['a bad key', { 'A=B': 'x' }, 'A=B'],
    ['removing a required key', { HOST: null }, 'HOST'],
  ])('refuses %s with a message on that field', (_name, edits, field) => {
    const result = validateSettingsEdits(edits as Record<string, string | null>, CURRENT);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(Object.keys(result.fieldErrors)).toContain(field);
      // Messages never echo the refused value.
      for (const message of Object.values(result.fieldErrors)) expect(message).not.toContain('DB_PASSWORD}');
    }
  });

  it('accepts plain values and normalises the ones with a canonical form', () => {
    const result = validateSettingsEdits({ BASE_PATH: 'tale/', SITE_URL: 'https://tale.example.com/', CUSTOM: 'a b' }, CURRENT);
    expect(result).toEqual({ ok: true, values: { BASE_PATH: '/tale', SITE_URL: 'https://tale.example.com', CUSTOM: 'a b' } });
  });

  it('allows http:// and a port in SITE_URL only with TLS_MODE=external', () => {
    expect(validateSettingsEdits({ TLS_MODE: 'external', SITE_URL: 'http://tale.example.com:8080' }, CURRENT).ok).toBe(true);
  });
});

describe('validateDomain', () => {
  const form = { HOST: 'tale.example.com', SITE_URL: 'https://tale.example.com', TLS_MODE: 'selfsigned', TLS_EMAIL: '', BASE_PATH: '' };

  it('accepts a consistent form', () => expect(validateDomain(form, CURRENT).ok).toBe(true));

  it.each([
    [{ BASE_PATH: '/a b' }, 'BASE_PATH'],
    [{ BASE_PATH: '/../x' }, 'BASE_PATH'],
    [{ TLS_MODE: 'letsencrypt', SITE_URL: 'http://tale.example.com' }, 'SITE_URL'],
    [{ TLS_EMAIL: 'not-an-email' }, 'TLS_EMAIL'],
    [{ HOST: 'https://tale.example.com' }, 'HOST'],
    [{ TLS_MODE: 'letsencrypt\nBAD=1' }, 'TLS_MODE'],
  ])('refuses %o on its field', (change, field) => {
    const result = validateDomain({ ...form, ...change }, CURRENT);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.fieldErrors)).toContain(field);
  });
});

describe('input schemas', () => {
  it('refuses YAML structure inside an image pin', () => {
    for (const image of ['x:1\n    ports: [80]', 'a: b', '{image: x}', 'repo/x:1 # c', 'Repo/X:1']) {
      expect(imageRefSchema.safeParse(image).success).toBe(false);
    }
    expect(pinChangeSchema.safeParse({ service: 'platform', image: 'registry.local:5000/tale/tale-platform:1.2.0' }).success).toBe(true);
    expect(pinChangeSchema.safeParse({ service: 'docs', image: 'x:1' }).success).toBe(false);
  });

  it('refuses unknown fields and path traversal in restore ids', () => {
    expect(envChangeSchema.safeParse({ edits: { A: 'b' }, extra: 1 }).success).toBe(false);
    expect(envChangeSchema.safeParse({ edits: {} }).success).toBe(false);
    expect(restoreSchema.safeParse({ id: '.env.2026-11-26T07-40-00-000Z' }).success).toBe(true);
    for (const id of ['../.env.2026-11-26T07-40-00-000Z', '.env', 'tale.json.2026-11-26T07-40-00-000Z', '.env.2026-11-26T07-40-00-000Z/x']) {
      expect(restoreSchema.safeParse({ id }).success).toBe(false);
    }
  });
});
