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
