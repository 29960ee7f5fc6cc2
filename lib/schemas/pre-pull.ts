import { z } from 'zod';

/** The pre-pull setting as an admin sends it (PUT /api/v1/releases/prepull); unknown keys refused. */
export const prePullSettingSchema = z.strictObject({
  enabled: z.boolean(),
  /** Minutes between two rounds of the watcher (a deploy's end and the console's start also start one). */
  intervalMinutes: z.number().int().min(5, 'At least 5 minutes').max(1440, 'At most 1440 minutes (a day)').optional(),
});

export type PrePullSettingInput = z.infer<typeof prePullSettingSchema>;
