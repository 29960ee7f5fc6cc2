import { describe, expect, it } from 'vitest';
import { basePathSchema, domainSettingsSchema, missingRequiredEnvKeys, validateEnvEdits } from './env-values';

describe('env value schemas', () => {
  it.each([
    ['', ''],
    ['/', ''],
    ['tale', '/tale'],
    ['/tale/', '/tale'],
    ['//a/b//', '/a/b'],
  ])('normalises BASE_PATH %j to %j like the proxy', (input, output) => {
    expect(basePathSchema.parse(input)).toBe(output);
  });

  it('allows http and any port in SITE_URL only with TLS_MODE=external', () => {
    expect(validateEnvEdits({ SITE_URL: 'http://tale.lan:8080' }, { TLS_MODE: 'external' })).toMatchObject({ ok: true });
    expect(validateEnvEdits({ SITE_URL: 'http://tale.lan' }, { TLS_MODE: 'selfsigned' })).toMatchObject({
      ok: false,
      fieldErrors: { SITE_URL: expect.stringMatching(/https/) },
    });
    expect(validateEnvEdits({ SITE_URL: 'https://tale.lan:443' }, { TLS_MODE: 'letsencrypt' })).toMatchObject({ ok: true });
  });

  it('lets unknown keys through with only the generic rules', () => {
    expect(validateEnvEdits({ MY_FLAG: 'x y z' }, {})).toEqual({ ok: true, values: { MY_FLAG: 'x y z' } });
    expect(validateEnvEdits({ MY_FLAG: 'x\ny' }, {})).toMatchObject({ ok: false });
  });

  it('accepts optional known keys set to empty (unset)', () => {
    expect(validateEnvEdits({ TLS_EMAIL: '', DRAIN_TIMEOUT: '' }, {})).toMatchObject({ ok: true });
  });

  it('validates the domain form with the cross-field rule', () => {
    expect(domainSettingsSchema.safeParse({ HOST: 'Tale.Example.com', SITE_URL: 'https://tale.example.com/', TLS_MODE: 'selfsigned' })).toMatchObject({
      success: true,
      data: { HOST: 'tale.example.com', SITE_URL: 'https://tale.example.com' },
    });
    const bad = domainSettingsSchema.safeParse({ HOST: 'x', SITE_URL: 'https://x:8443', TLS_MODE: 'letsencrypt' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['SITE_URL']);
  });

  it('lists missing or blank required keys in order', () => {
    expect(missingRequiredEnvKeys({ HOST: 'x', TLS_MODE: ' ', DB_PASSWORD: 'p' })).toEqual([
      'SITE_URL', 'TLS_MODE', 'BETTER_AUTH_SECRET', 'ENCRYPTION_SECRET_HEX', 'INSTANCE_SECRET', 'SOPS_AGE_KEY',
    ]);
  });
});
