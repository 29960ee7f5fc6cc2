import { expect, it } from 'vitest';
import { scrub, secretValues } from './redact-secrets';

it('finds the secret values of an .env and scrubs them from text, longest first', () => {
  const secrets = secretValues({ HOST: 'example.com', DB_PASSWORD: 'hunter2hunter2', INSTANCE_SECRET: 'ab'.repeat(32), SHORT_KEY: 'x', ENCRYPTION_SECRET_HEX: 'hunter2hunter2-and-more' });
  expect(secrets).toEqual(['ab'.repeat(32), 'hunter2hunter2-and-more', 'hunter2hunter2']);
  const text = `connect postgres://tale:hunter2hunter2@db/x failed; key hunter2hunter2-and-more on example.com`;
  expect(scrub(text, secrets)).toBe('connect postgres://tale:[redacted]@db/x failed; key [redacted] on example.com');
});
