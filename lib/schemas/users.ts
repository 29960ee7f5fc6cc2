import { z } from 'zod';
import { ROLES } from '../roles';
import { emailSchema, passwordSchema } from './auth';

const id = z.string().uuid('Unknown user');

export const createUserSchema = z.strictObject({
  name: z.string().trim().min(1, 'Enter a name').max(100),
  email: emailSchema,
  role: z.enum(ROLES),
  password: passwordSchema,
});

export const changeRoleSchema = z.strictObject({ id, role: z.enum(ROLES) });
export const setDisabledSchema = z.strictObject({ id, disabled: z.boolean() });
export const resetPasswordSchema = z.strictObject({ id, password: passwordSchema });

/**
 * A user's change of their own password: the current one proves it is them (not whoever holds a
 * stolen session), the new one follows the same policy as an admin-set password.
 */
export const changeOwnPasswordSchema = z
  .strictObject({
    currentPassword: z.string().min(1, 'Enter your current password').max(256),
    newPassword: passwordSchema,
    confirm: z.string().max(256),
  })
  .refine((v) => v.newPassword === v.confirm, { path: ['confirm'], message: 'Passwords do not match' })
  .refine((v) => v.newPassword !== v.currentPassword, { path: ['newPassword'], message: 'Choose a password other than the current one' });
