import { describe, expect, it } from 'vitest';
import { validateSettingsEdits } from '@/lib/schemas/settings';
import { envValueSchemaOf } from './env-catalog';
import { missingRequiredEnvKeys, validateEnvEdits } from './env-validation';
import { basePathSchema, domainSettingsSchema } from './env-values';

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

  describe('keys named after Object.prototype members', () => {
    const names = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', '__lookupSetter__'];
    // Computed keys define own properties, as JSON.parse does for a request body.
    const own = (key: string, value: string | null) => ({ [key]: value });

    it.each(names)('refuses %s as a key to set or remove, with a field error naming it', (key) => {
      for (const value of ['x', '', null]) {
        for (const validate of [validateEnvEdits, validateSettingsEdits]) {
          const result = validateEnvEdits(own(key, value), {});
          expect(validate(own(key, value), {})).toEqual(result);
          expect(result.ok).toBe(false);
          expect(Object.keys(result.ok ? {} : result.fieldErrors)).toEqual([key]);
          expect(result.ok ? '' : result.fieldErrors[key]).toMatch(/every JavaScript object/);
        }
      }
    });

    it('has no per-key rule for them, and keeps checking the ordinary keys next to them', () => {
      for (const key of names) expect(envValueSchemaOf(key)).toBeUndefined();
      expect(envValueSchemaOf('DB_PORT')).toBeDefined();
      const result = validateEnvEdits({ ...own('constructor', 'x'), DB_PORT: '99999', MY_FLAG: 'on' }, { constructor: 'kept', TLS_MODE: 'external' });
      expect(result).toEqual({ ok: false, fieldErrors: { constructor: expect.any(String), DB_PORT: expect.any(String) } });
    });

    it('reads the cross-field rule from own keys only', () => {
      // `TLS_MODE` is not edited, so the file's value decides; an inherited one must not count as an edit.
      const edits = Object.assign(Object.create({ TLS_MODE: 'selfsigned' }) as Record<string, string>, { SITE_URL: 'http://tale.lan' });
      expect(validateEnvEdits(edits, { TLS_MODE: 'external' })).toEqual({ ok: true, values: { SITE_URL: 'http://tale.lan' } });
    });
  });
});

