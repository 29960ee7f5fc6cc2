import { z } from 'zod';
import { backupTargetInputSchema, fingerprintSchema } from './backup-target';
import { snapshotIdSchema } from './backups';

// A restore into a fresh host, from the initialise screen (docs/backups.md#restore-into-a-new-host):
// the repository is given with its password on every call (nothing is kept between the listing and
// the restore but the staged copy the console itself overwrites), with the target forms' schemas.

export const freshRepositorySchema = z.strictObject({
  target: backupTargetInputSchema,
  /** The repository password shown once when it was created. Never logged, echoed or audited. */
  password: z.string().trim().min(1, 'The repository password').max(1024),
  /** An SFTP server seen for the first time: the fingerprint the admin confirmed. */
  acceptHostKey: fingerprintSchema.optional(),
});

export const freshRestoreSchema = freshRepositorySchema.extend({
  /** The backup's id as listed (its manifest snapshot). */
  snapshot: snapshotIdSchema,
  /** The backup's project id, typed by the admin as confirmation. */
  projectId: z.string().trim().min(1, 'Type the project id to confirm').max(40),
});

export type FreshRepositoryInput = z.infer<typeof freshRepositorySchema>;
export type FreshRestoreInput = z.infer<typeof freshRestoreSchema>;
