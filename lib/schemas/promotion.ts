import { z } from 'zod';
import { environmentIdSchema } from './environments';
import { overridePreflightSchema, skipBackupSchema } from './operations';

/** A promotion to the environment of the page or `?env=` (docs/environments.md#promotion). */
export const promotionInputSchema = z.strictObject({
  /** The source environment, whose live release is deployed by its recorded digests. */
  from: environmentIdSchema,
  /** The source must have run the release at least this long without an incident (at most a year). */
  minCleanMinutes: z.number().int().min(1).max(525_600).optional(),
  /** Only the preview: the differences and checks, nothing started. */
  dryRun: z.boolean().optional(),
  /** The destination's name, typed, when it is production. */
  confirmName: z.string().max(40).optional(),
  /** A promotion that changes the destination's live version takes the pre-upgrade backup first, as an upgrade does. */
  skipBackup: skipBackupSchema.optional(),
  /** The destination's preflight runs before it starts, as an upgrade's does. */
  overridePreflight: overridePreflightSchema.optional(),
});
export type PromotionInput = z.infer<typeof promotionInputSchema>;
