import { describe, expect, it } from 'vitest';
import { REDACTED, diffEnvValues, diffLines, redactOverrideLine } from './env-diff';
import { isSecretKey } from './env-catalog';
import { caddyConfig, nginxConfig } from './upstream-config';

describe('diffEnvValues', () => {
  it('lists added, changed and removed keys and redacts secrets', () => {
    const diff = diffEnvValues(
      { HOST: 'a.example.com', DB_PASSWORD: 'old-password', GONE: 'x', SAME: '1' },
      { HOST: 'b.example.com', DB_PASSWORD: 'new-password', SAME: '1', NEW: 'y' },
    );
    expect(diff).toEqual([
      { key: 'HOST', kind: 'changed', before: 'a.example.com', after: 'b.example.com', secret: false },
      { key: 'DB_PASSWORD', kind: 'changed', before: REDACTED, after: REDACTED, secret: true },
      { key: 'GONE', kind: 'removed', before: 'x', after: null, secret: false },
      { key: 'NEW', kind: 'added', before: null, after: 'y', secret: false },
    ]);
    expect(JSON.stringify(diff)).not.toContain('password');
  });

  it('redacts unknown secret keys and any value that carries a URL password, on either side', () => {
    const diff = diffEnvValues(
      { SMTP_PASS: 'old-smtp', CACHE_URL: 'redis://cache:6379', HOOK: 'https://u:old-pw@hooks.example/in' },
      { SMTP_PASS: 'new-smtp', CACHE_URL: 'redis://:new-pw@cache:6379', HOOK: 'https://hooks.example/in' },
    );
    expect(diff.map((d) => [d.key, d.before, d.after, d.secret])).toEqual([
      ['SMTP_PASS', REDACTED, REDACTED, true],
      ['CACHE_URL', REDACTED, REDACTED, true],
      ['HOOK', REDACTED, REDACTED, true],
    ]);
  });
});

describe('isSecretKey', () => {
  it('masks catalogued secrets and unknown keys that look like one', () => {
    for (const key of ['ENCRYPTION_SECRET_HEX', 'DB_PASSWORD', 'SOPS_AGE_KEY', 'MY_API_TOKEN', 'OPENAI_API_KEY', 'OTHER_DATABASE_URL']) {
      expect(isSecretKey(key)).toBe(true);
    }
    for (const key of ['HOST', 'SITE_URL', 'SOPS_AGE_KEY_FILE', 'TLS_MODE', 'KEYBOARD_LAYOUT']) expect(isSecretKey(key)).toBe(false);
  });
});

describe('diffLines', () => {
  it('shows a pin as one added line', () => {
    expect(diffLines('services:\n  proxy:\n    ports: []\n', 'services:\n  proxy:\n    ports: []\n  platform:\n    image: x:1\n')).toEqual([
      { kind: 'same', text: 'services:' },
      { kind: 'same', text: '  proxy:' },
      { kind: 'same', text: '    ports: []' },
      { kind: 'added', text: '  platform:' },
      { kind: 'added', text: '    image: x:1' },
    ]);
  });

  it('redacts secret environment values in override lines', () => {
    expect(redactOverrideLine('      DB_PASSWORD: hunter2hunter2')).toBe(`      DB_PASSWORD: ${REDACTED}`);
    expect(redactOverrideLine('      - RAG_AUTH_TOKEN=abc')).toBe(`      - RAG_AUTH_TOKEN=${REDACTED}`);
    expect(redactOverrideLine('    image: x:1')).toBe('    image: x:1');
    expect(redactOverrideLine('      LEGACY_DB: "postgres://svc:pw@legacy:5432/x"')).toBe(`      LEGACY_DB: ${REDACTED}`);
  });
});

describe('upstream configuration', () => {
  const input = { host: 'tale.example.com', basePath: '/tale', upstream: '127.0.0.1:80' };
  it('nginx passes Host, upgrades WebSockets and allows long requests', () => {
    const text = nginxConfig(input);
    for (const line of ['server_name tale.example.com;', 'location /tale/ {', 'proxy_set_header Host $host;', 'proxy_set_header Upgrade $http_upgrade;', 'proxy_read_timeout 86400s;', 'X-Forwarded-Proto']) {
      expect(text).toContain(line);
    }
  });
  it('Caddy proxies the prefix with long timeouts', () => {
    const text = caddyConfig(input);
    expect(text).toContain('tale.example.com {');
    expect(text).toContain('reverse_proxy /tale/* 127.0.0.1:80');
    expect(text).toContain('read_timeout 1h');
  });
});
