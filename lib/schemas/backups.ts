import { z } from 'zod';
import { skipBackupSchema } from './operations';

/** A manual backup takes no parameters today (schedules and the pre-upgrade gate come later). */
export const startBackupInputSchema = z.strictObject({});

/** A restic snapshot id, full (64 hex digits) or short (8 or more). */
export const snapshotIdSchema = z.string().regex(/^[0-9a-f]{8,64}$/, 'Choose a backup from the list');

export const restoreInputSchema = z.strictObject({
  /** The backup's id as listed (its manifest snapshot). */
  snapshot: snapshotIdSchema,
  /** The project id typed by the admin as confirmation. */
  projectId: z.string().trim().min(1, 'Type the project id to confirm').max(40),
  /** Skips the safety backup of the current state for this restore only; audited, in the timeline. */
  skipBackup: skipBackupSchema.optional(),
  /**
   * A backup with a database from an external server writes into that server: the admin types its
   * `host:port` (several: comma-separated, as the refusal names them) as a second confirmation.
   */
  externalServer: z.string().trim().max(600).optional(),
});

/** Restoring a backup's project files over the current ones (admin, typed confirmation). */
export const projectFilesRestoreSchema = z.strictObject({
  snapshot: snapshotIdSchema,
  projectId: z.string().trim().min(1, 'Type the project id to confirm').max(40),
});

export type RestoreInput = z.infer<typeof restoreInputSchema>;

/** A restore drill of one backup (operator). */
export const drillInputSchema = z.strictObject({ snapshot: snapshotIdSchema });

/** The integrity check takes no parameters. */
export const checkInputSchema = z.strictObject({});

// The backup schedule an admin sets (server/backup/schedule.ts computes its runs): no cron strings.
const count = (max: number) => z.number().int().min(0).max(max);

export const backupScheduleSchema = z
  .strictObject({
    enabled: z.boolean(),
    mode: z.enum(['daily', 'every']),
    /** For `daily`: the time of day, UTC. */
    at: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'A time of day as HH:MM (UTC)'),
    /** For `every`: hours between two backups. */
    everyHours: z.number().int().min(1, 'At least 1 hour').max(168, 'At most 168 hours (a week)'),
    keep: z
      .strictObject({ daily: count(366), weekly: count(520), monthly: count(240) })
      .refine((k) => k.daily + k.weekly + k.monthly > 0, 'Keep at least one backup'),
  });


/** The body of POST /api/v1/backups/{id}/project-files: the typed confirmation. */
export const projectFilesRestoreBodySchema = projectFilesRestoreSchema.pick({ projectId: true });

/** The diff between a backup's project files and the current ones. */
export const projectFilesDiffSchema = z.strictObject({ snapshot: snapshotIdSchema });
