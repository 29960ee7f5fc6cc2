import { expect, it } from 'vitest';
import { MIN_SCRUBBED_LENGTH, scrub, secretValues } from './redact-secrets';

it('finds the secret values of an .env and scrubs them from text, longest first', () => {
  const secrets = secretValues({ HOST: 'example.com', DB_PASSWORD: 'hunter2hunter2', INSTANCE_SECRET: 'ab'.repeat(32), SHORT_KEY: 'x', ENCRYPTION_SECRET_HEX: 'hunter2hunter2-and-more' });
  expect(secrets).toEqual(['ab'.repeat(32), 'hunter2hunter2-and-more', 'hunter2hunter2']);
  const text = `connect postgres://tale:hunter2hunter2@db/x failed; key hunter2hunter2-and-more on example.com`;
  expect(scrub(text, secrets)).toBe('connect postgres://tale:[redacted]@db/x failed; key [redacted] on example.com');
});

it('scrubs the password of every database URL, raw, decoded and re-encoded, and unknown secret keys', () => {
  const password = 'S3cr+t/pw@1';
  const encoded = encodeURIComponent(password);
  const env = {
    POSTGRES_URL: `postgresql://tale_svc:${encoded}@pg.example:5432`,
    RAG_DATABASE_URL: `postgresql://tale_svc:${encoded}@pg.example:5432/tale_knowledge`,
    LEGACY_STORE: `postgres://svc:plain-pass@legacy:5432/x`,
    SMTP_PASS: 'smtp-pw-1',
    DB_PASS: 'db-pw-22',
  };
  const secrets = secretValues(env);
  const lines = [
    `convex: connecting to ${env.POSTGRES_URL}/tale_platform`,
    `rag: FATAL password authentication failed (password=${password})`,
    `crawler: url=${env.RAG_DATABASE_URL}?sslmode=disable`,
    `legacy: postgres://svc:plain-pass@legacy:5432/x; smtp smtp-pw-1; db db-pw-22`,
  ];
  const out = scrub(lines.join('\n'), secrets);
  for (const secret of [password, encoded, 'plain-pass', 'smtp-pw-1', 'db-pw-22']) expect(out).not.toContain(secret);
  expect(out.split('\n')).toEqual([
    'convex: connecting to [redacted]/tale_platform',
    'rag: FATAL password authentication failed (password=[redacted])',
    'crawler: url=[redacted]?sslmode=disable',
    'legacy: [redacted]; smtp [redacted]; db [redacted]',
  ]);
});

it('scrubs secrets from event JSON, where quotes and backslashes are escaped', () => {
  const secret = 'pa"ss\\word-42';
  const json = JSON.stringify({ step: 'health', logs: [`token was ${secret}`] });
  const out = scrub(json, secretValues({ API_TOKEN: secret }));
  expect(out).not.toContain(JSON.stringify(secret).slice(1, -1));
  expect(JSON.parse(out)).toEqual({ step: 'health', logs: ['token was [redacted]'] });
});

it(`leaves values shorter than ${MIN_SCRUBBED_LENGTH} characters alone, and scrubs from there on`, () => {
  // The URL's own password is too short to scrub alone; the URL that carries it is scrubbed whole.
  const url = 'redis://:xyz@cache:6379';
  expect(secretValues({ SMTP_PASS: 'abc', DB_PASS: 'abcd', CACHE_URL: url })).toEqual([encodeURIComponent(url), url, 'abcd']);
});
