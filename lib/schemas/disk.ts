import { z } from 'zod';

/** Start of "Remove unused images": the id of the plan the user reviewed (GET /api/v1/disk, plan.id). */
export const pruneImagesInputSchema = z.strictObject({
  planId: z.string().regex(/^[0-9a-f]{64}$/, 'Must be the plan id the preview showed (64 hex digits)'),
});
export type PruneImagesInput = z.infer<typeof pruneImagesInputSchema>;
