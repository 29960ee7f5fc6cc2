import { describe, expect, it } from 'vitest';
import { fieldErrors } from './field-errors';
import { changeOwnPasswordSchema, createUserSchema } from './users';

const VALID = { currentPassword: 'the-old-password', newPassword: 'a-new-password-1', confirm: 'a-new-password-1' };
const errorsOf = (input: unknown) => {
  const parsed = changeOwnPasswordSchema.safeParse(input);
  return parsed.success ? {} : fieldErrors(parsed.error);
};

describe('changeOwnPasswordSchema', () => {
  it('accepts a current password, a new one and its confirmation', () => {
    expect(changeOwnPasswordSchema.parse(VALID)).toEqual(VALID);
  });

  it.each([
    ['a new password under the policy', { newPassword: 'short', confirm: 'short' }, 'newPassword'],
    ['a confirmation that differs', { confirm: 'a-new-password-2' }, 'confirm'],
    ['the current password again', { currentPassword: VALID.newPassword }, 'newPassword'],
    ['an empty current password', { currentPassword: '' }, 'currentPassword'],
    ['an oversized current password', { currentPassword: 'x'.repeat(257) }, 'currentPassword'],
  ])('refuses %s on that field', (_name, change, field) => {
    expect(Object.keys(errorsOf({ ...VALID, ...change }))).toEqual([field]);
  });

  it('refuses unknown fields', () => {
    expect(changeOwnPasswordSchema.safeParse({ ...VALID, id: crypto.randomUUID() }).success).toBe(false);
  });

  it('holds the new password to the same policy as a new user’s', () => {
    for (const password of ['x'.repeat(11), 'x'.repeat(12), 'x'.repeat(256), 'x'.repeat(257)]) {
      const asNewUser = createUserSchema.shape.password.safeParse(password).success;
      expect(changeOwnPasswordSchema.safeParse({ ...VALID, newPassword: password, confirm: password }).success).toBe(asNewUser);
    }
  });
});
