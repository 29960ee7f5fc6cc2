import type { z } from 'zod';
import { backupScheduleSchema } from '@/lib/schemas/backups';

export { backupScheduleSchema };

// The backup schedule an admin sets on the Backups page: no cron strings, only "every day at HH:MM
// UTC" or "every N hours", and the retention kept after each scheduled backup. The next run is
// computed from the stored schedule and the last scheduled backup, so a restart neither skips nor
// repeats one: a run missed while the console was down happens once, at the next start.

export type BackupSchedule = z.infer<typeof backupScheduleSchema>;

/**
 * Off until an admin turns it on: the first backup creates the repository and shows its password
 * to an admin, which no timer can do. The values are what the form offers.
 */
export const DEFAULT_SCHEDULE: BackupSchedule = { enabled: false, mode: 'daily', at: '03:00', everyHours: 24, keep: { daily: 7, weekly: 4, monthly: 6 } };

/**
 * When the next scheduled backup is due: the first slot after the later of the last scheduled
 * backup and the moment the schedule was set (so setting a schedule never fires at once for a
 * slot already past). A due time in the past means "now". Null when the schedule is off.
 */
export function nextRun(schedule: BackupSchedule, lastRun: Date | null, setAt: Date): Date | null {
  if (!schedule.enabled) return null;
  const base = lastRun && lastRun > setAt ? lastRun : setAt;
  if (schedule.mode === 'every') return new Date(base.getTime() + schedule.everyHours * 3_600_000);
  const [h, m] = schedule.at.split(':').map(Number) as [number, number];
  const slot = new Date(Date.UTC(base.getUTCFullYear(), base.getUTCMonth(), base.getUTCDate(), h, m));
  if (slot <= base) slot.setUTCDate(slot.getUTCDate() + 1);
  return slot;
}
