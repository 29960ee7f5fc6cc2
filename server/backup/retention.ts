import type { RepositorySnapshot } from './ports';

// Retention over whole backups. restic's own `forget --keep-daily …` decides per snapshot group
// (host and path), and one backup is several snapshots (a part per database and volume, and the
// manifest): applied to parts it could keep the last dump of a database from one backup and the
// volumes of another, half a backup each. So the policy is applied here to backups, each dated by
// its manifest, and every snapshot of a forgotten backup is forgotten together.

export interface RetentionPolicy {
  daily: number;
  weekly: number;
  monthly: number;
}

export interface BackupGroup {
  backupId: string;
  /** The manifest's snapshot time (the end of the backup); the newest part's when it has none. */
  time: string;
  /** Whether its manifest is stored: a backup without one was cut off and is never listed. */
  complete: boolean;
  snapshotIds: string[];
}

const BACKUP_TAG = 'tale-backup:';
const MANIFEST_TAG = 'tale-manifest';

/** The snapshots of one project grouped by backup id; snapshots without one are not the console's and are left out. */
export function groupByBackup(snapshots: readonly RepositorySnapshot[]): BackupGroup[] {
  const groups = new Map<string, BackupGroup>();
  for (const s of snapshots) {
    const backupId = s.tags.find((t) => t.startsWith(BACKUP_TAG))?.slice(BACKUP_TAG.length);
    if (!backupId) continue;
    const g = groups.get(backupId) ?? { backupId, time: s.time, complete: false, snapshotIds: [] };
    g.snapshotIds.push(s.id);
    if (s.tags.includes(MANIFEST_TAG)) {
      g.complete = true;
      g.time = s.time;
    } else if (!g.complete && s.time > g.time) g.time = s.time;
    groups.set(backupId, g);
  }
  return [...groups.values()].sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
}

/** ISO 8601 week of a UTC date, as `YYYY-Www` (the week belongs to the year of its Thursday). */
function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${t.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

const BUCKETS: Record<keyof RetentionPolicy, (d: Date) => string> = {
  daily: (d) => d.toISOString().slice(0, 10),
  weekly: isoWeek,
  monthly: (d) => d.toISOString().slice(0, 7),
};

/**
 * Which complete backups the policy keeps, as restic's keep rules do it: walking from the newest,
 * the newest backup of each of the last N days (weeks, months) that have one. The newest backup is
 * always kept, whatever the policy. Incomplete backups (no manifest) are always forgotten:
 * retention never runs beside a backup (server/operations/conflicts.ts), so none is in progress.
 */
export function planRetention(groups: readonly BackupGroup[], policy: RetentionPolicy): { keep: BackupGroup[]; forget: BackupGroup[] } {
  const complete = groups.filter((g) => g.complete).sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
  const kept = new Set<string>();
  if (complete[0]) kept.add(complete[0].backupId);
  for (const rule of Object.keys(BUCKETS) as (keyof RetentionPolicy)[]) {
    const seen = new Set<string>();
    for (const g of complete) {
      if (seen.size >= policy[rule]) break;
      const bucket = BUCKETS[rule](new Date(g.time));
      if (seen.has(bucket)) continue;
      seen.add(bucket);
      kept.add(g.backupId);
    }
  }
  return { keep: complete.filter((g) => kept.has(g.backupId)), forget: groups.filter((g) => !kept.has(g.backupId)) };
}
