import { expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password';

it('hashes with argon2id and verifies only the right password', async () => {
  const stored = await hashPassword('correct horse battery');
  expect(stored).toMatch(/^\$argon2id\$/);
  expect(stored).not.toContain('correct horse battery');
  expect(await verifyPassword(stored, 'correct horse battery')).toBe(true);
  expect(await verifyPassword(stored, 'correct horse batterY')).toBe(false);
  expect(await verifyPassword('not a hash', 'x')).toBe(false);
});
