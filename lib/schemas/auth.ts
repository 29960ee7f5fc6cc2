import { z } from 'zod';

export const emailSchema = z.string().trim().toLowerCase().max(254).pipe(z.email('Enter a valid email address'));

export const passwordSchema = z
  .string()
  .min(12, 'Use at least 12 characters')
  .max(256, 'Use at most 256 characters');

export const totpCodeSchema = z.string().trim().regex(/^\d{6}$/, 'Enter the 6-digit code from your app');

export const signInSchema = z.strictObject({
  email: emailSchema,
  password: z.string().min(1, 'Enter your password').max(256),
  /** Only for accounts with two-step sign-in; without it such an account gets the same refusal as a wrong password. */
  totp: totpCodeSchema.optional(),
});

export const setupSchema = z
  .strictObject({
    token: z.string().trim().min(1, 'Enter the setup token').max(200),
    name: z.string().trim().min(1, 'Enter your name').max(100),
    email: emailSchema,
    password: passwordSchema,
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'Passwords do not match' });

export type SetupInput = z.input<typeof setupSchema>;
