import { z } from 'zod';

/** A manual backup takes no parameters today (schedules and the pre-upgrade gate come later). */
export const startBackupInputSchema = z.strictObject({});

/** A restic snapshot id, full (64 hex digits) or short (8 or more). */
export const snapshotIdSchema = z.string().regex(/^[0-9a-f]{8,64}$/, 'Choose a backup from the list');

export const restoreInputSchema = z.strictObject({
  /** The backup's id as listed (its manifest snapshot). */
  snapshot: snapshotIdSchema,
  /** The project id typed by the admin as confirmation. */
  projectId: z.string().trim().min(1, 'Type the project id to confirm').max(40),
});

export type RestoreInput = z.infer<typeof restoreInputSchema>;
