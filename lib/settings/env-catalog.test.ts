import { describe, expect, it } from 'vitest';
import { envApplyTargets } from './apply-targets';
import {
  ENV_GROUPS,
  REGENERATABLE_KEYS,
  REQUIRED_ENV_KEYS,
  envKeyInfo,
  envValueSchemaOf,
  isSecretEntry,
  isSecretKey,
  secretValuesOf,
  urlPasswordsOf,
} from './env-catalog';

describe('the key catalogue', () => {
  const entries = ENV_GROUPS.flatMap((group) => group.keys.map((info) => ({ group, info })));
  const keys = entries.map(({ info }) => info.key);

  it('lists each key once, each with a group, help text and a rule of its own', () => {
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(ENV_GROUPS.map((g) => g.id)).size).toBe(ENV_GROUPS.length);
    for (const { group, info } of entries) {
      expect(group.id, info.key).toMatch(/^[a-z]+$/);
      expect(group.title.trim(), info.key).not.toBe('');
      expect(info.meaning.trim().length, info.key).toBeGreaterThan(10);
      expect(typeof info.schema?.safeParse, info.key).toBe('function');
      expect(['proxy', 'colors', 'all', 'cli'], info.key).toContain(info.affects);
      // The lookups the validation and the forms use answer from this same entry.
      expect(envKeyInfo(info.key), info.key).toBe(info);
      expect(envValueSchemaOf(info.key), info.key).toBe(info.schema);
    }
    expect(envValueSchemaOf('MY_OWN_FLAG')).toBeUndefined();
  });

  it('gives the list of required keys exactly the catalogue keys marked required, once each', () => {
    expect(new Set(REQUIRED_ENV_KEYS).size).toBe(REQUIRED_ENV_KEYS.length);
    expect([...REQUIRED_ENV_KEYS].sort()).toEqual(entries.filter(({ info }) => info.required).map(({ info }) => info.key).sort());
  });

  it('regenerates only catalogue keys that are secrets', () => {
    for (const key of REGENERATABLE_KEYS) expect(envKeyInfo(key)?.secret, key).toBe(true);
  });

  it('decides every catalogue key\'s apply targets from its entry', () => {
    for (const { info } of entries) {
      expect(envApplyTargets([info.key]), info.key).toEqual({
        proxy: info.affects === 'proxy' || info.affects === 'all',
        colors: info.affects === 'colors' || info.affects === 'all',
      });
    }
  });
});

describe('the secret rule', () => {
  it('follows the catalogue for the keys it lists', () => {
    for (const group of ENV_GROUPS) for (const info of group.keys) expect(isSecretKey(info.key), info.key).toBe(Boolean(info.secret));
    // Names that look secret but hold none: the catalogue says so.
    expect(isSecretKey('SOPS_AGE_KEY_FILE')).toBe(false);
    expect(isSecretKey('AUTH_MICROSOFT_ENTRA_ID_ID')).toBe(false);
  });

  it('masks unknown keys whose name says they hold a secret, in any spelling', () => {
    for (const key of [
      'SMTP_PASS', 'DB_PASS', 'MAIL_PASSWORD', 'LDAP_PASSWD', 'GPG_PASSPHRASE', 'SMTP_PWD', 'GITHUB_CLIENT_SECRET', 'MY_API_TOKEN',
      'OPENAI_API_KEY', 'APIKEY', 'STRIPE_KEYS', 'BACKUP_KEY_HEX', 'AWS_CREDENTIALS', 'ANALYTICS_DSN', 'SSH_PRIVATE_KEY_PATH',
      'HASH_PEPPER', 'HASH_SALT', 'OTHER_DATABASE_URL', 'DBPASSWORD', 'GITLABTOKEN', 'smtp_pass', 'Smtp-Pass',
      // Form fields in audit params: the same rule reads camelCase.
      'password', 'newPassword', 'currentPassword', 'confirm', 'totp', 'otp', 'token', 'apiToken', 'setupToken', 'clientSecret', 'privateKey',
    ]) {
      expect(isSecretKey(key), key).toBe(true);
    }
  });

  it('leaves ordinary names alone, prototype-named ones included', () => {
    for (const key of [
      'KEYBOARD_LAYOUT', 'BYPASS_CACHE', 'PASSTHROUGH_MODE', 'TOKENIZER_MODEL', 'MONKEY_PATCH', 'SMTP_HOST', 'SMTP_USER', 'CACHE_URL',
      'email', 'role', 'name', 'prefix', 'expiresInDays', 'constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf',
    ]) {
      expect(isSecretKey(key), key).toBe(false);
    }
  });

  it('finds the password of every URL in a value, up to the last @ of the authority', () => {
    expect(urlPasswordsOf('postgresql://tale:pw@db:5432/tale')).toEqual(['pw']);
    expect(urlPasswordsOf('postgresql://tale_svc:a%2Fb%40c@pg.example:5432')).toEqual(['a%2Fb%40c']);
    expect(urlPasswordsOf('postgres://u:p@ss@host/db?sslmode=require')).toEqual(['p@ss']);
    expect(urlPasswordsOf('redis://:only-password@cache:6379/0')).toEqual(['only-password']);
    expect(urlPasswordsOf('redis://:one@h1:6379,redis://:two@h2:6379')).toEqual(['one', 'two']);
    expect(urlPasswordsOf('jdbc:postgresql://u:in-jdbc@h/db')).toEqual(['in-jdbc']);
    // No password: a user alone, an empty password, no userinfo, an @ in the path, not a URL.
    for (const value of ['postgresql://tale@db/x', 'postgresql://tale:@db/x', 'https://example.com/a@b', 'https://example.com/?u=a:b@c', 'user:pw@host', 'mailto:a:b@c', '']) {
      expect(urlPasswordsOf(value), value).toEqual([]);
    }
  });

  it('makes any entry whose value carries a URL password secret, whatever its key', () => {
    expect(isSecretEntry('CACHE_URL', 'redis://:pw@cache:6379')).toBe(true);
    expect(isSecretEntry('CONVEX_URL', 'http://u:pw@convex:3210')).toBe(true);
    expect(isSecretEntry('CACHE_URL', 'redis://cache:6379')).toBe(false);
    expect(isSecretEntry('SMTP_PASS', '')).toBe(true);
    expect(isSecretEntry('HOST', 'tale.example.com')).toBe(false);
    expect(isSecretEntry('count', 3)).toBe(false);
  });

  it('lists every secret value of an .env: secret entries, and URL passwords as written and decoded', () => {
    const env = {
      HOST: 'tale.example.com',
      DB_PASSWORD: 'bundled-password',
      SMTP_PASS: 'short',
      EMPTY_TOKEN: '',
      POSTGRES_URL: 'postgresql://tale_svc:p%2Bw%2Fd@pg.example:5432',
      CACHE_URL: 'redis://:cache-pw@cache:6379',
      constructor: 'not a secret',
    };
    expect(secretValuesOf(env).sort()).toEqual(
      ['bundled-password', 'short', 'postgresql://tale_svc:p%2Bw%2Fd@pg.example:5432', 'p%2Bw%2Fd', 'p+w/d', 'redis://:cache-pw@cache:6379', 'cache-pw'].sort(),
    );
  });
});
