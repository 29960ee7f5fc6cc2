import { z } from 'zod';
import { ROLES } from '../roles';

/** Days a new token lives; none: until revoked. */
export const TOKEN_LIFETIMES = [7, 30, 90, 365] as const;

export const createApiTokenSchema = z.strictObject({
  // The name lands in the audit trail and the history as the actor's detail: plain characters only.
  name: z
    .string()
    .trim()
    .min(1, 'Enter a name')
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'Letters, digits, spaces, dots, dashes and underscores only'),
  role: z.enum(ROLES),
  expiresInDays: z
    .number()
    .int()
    .refine((d) => (TOKEN_LIFETIMES as readonly number[]).includes(d), 'Choose one of the offered lifetimes')
    .nullable(),
});

export const revokeApiTokenSchema = z.strictObject({ id: z.string().uuid('Unknown token') });

export type CreateApiTokenInput = z.input<typeof createApiTokenSchema>;
