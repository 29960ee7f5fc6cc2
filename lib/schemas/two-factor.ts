import { z } from 'zod';
import { totpCodeSchema } from './auth';

export const confirmTotpSchema = z.strictObject({ code: totpCodeSchema });
export const resetTotpSchema = z.strictObject({ id: z.string().uuid('Unknown user') });
export const adminTotpPolicySchema = z.strictObject({ required: z.boolean() });
/** An explicit yes, so a stray or probing call to the action ends nothing. */
export const signOutEverywhereSchema = z.strictObject({ confirm: z.literal(true) });
