import 'server-only';
import { and, desc, eq, like } from 'drizzle-orm';
import type { ActionResult } from '@/lib/action-result';
import type { BackupScheduleDto } from '@/lib/dto/backups';
import type { OperationDto } from '@/lib/dto/operations';
import { authorize, requireRole, type Caller } from '../auth/caller';
import { BackupError } from '../backup/backup-error';
import { runBackup } from '../backup/backup-engine';
import { backupScheduleSchema, DEFAULT_SCHEDULE, nextRun, type BackupSchedule } from '../backup/schedule';
import { appendAudit } from '../db/audit-log';
import { readSetting, writeSetting } from '../db/console-settings';
import { consoleSettings } from '../db/schema/console-settings';
import { operations } from '../db/schema/operations';
import type { Job } from '../operations/runner';
import type { Runtime } from '../runtime';
import { LOCAL_ENVIRONMENT_ID } from '@/lib/schemas/environments';
import { drillJob, retentionJob } from './backup-drills';
import { backupPorts } from './backup-ports';
import { backupResult } from './backups';
import { invalid } from './operation-start';

// Scheduled backups (docs/backups.md#schedule-and-retention). The schedule is a console setting per
// environment; a timer in each environment's runtime, started at boot (local) or when the runtime is
// built (remote, server/environment-runtimes.ts), computes the next run from it and from the last
// scheduled backup in the history, so a restart neither skips nor repeats a run. A run is three
// operations of the system (actor null, like the start-up reconcile: in the history as "system",
// with no audit row, since no person acted): a `backup` of kind `scheduled`, a `drill` of the
// backup it made, then `retention`. Each waits for the one before, because retention's prune takes
// restic's exclusive lock.

/**
 * The schedule's console-settings key. Each environment backs up into its own repository on its own
 * schedule; the local one keeps the key it had before there were environments, so an upgrade keeps it.
 */
export function scheduleSettingKey(environmentId: string): string {
  return environmentId === LOCAL_ENVIRONMENT_ID ? 'backups.schedule' : `backups.schedule:${environmentId}`;
}
/** The timer looks again at least this often, so a changed schedule takes effect within a minute. */
const MAX_WAIT_MS = 60_000;
/** When the start was refused (another operation runs), it is tried again after this. */
const BUSY_RETRY_MS = 30_000;
const WAKE = 'backups:scheduler:wake';

function stored(rt: Runtime): { schedule: BackupSchedule; setAt: Date | null; updatedBy: string | null } {
  const key = scheduleSettingKey(rt.environment.id);
  const schedule = readSetting(rt.db, key, backupScheduleSchema, DEFAULT_SCHEDULE);
  const row = rt.db.select().from(consoleSettings).where(eq(consoleSettings.key, key)).get();
  return { schedule, setAt: row?.updatedAt ?? null, updatedBy: row?.updatedBy ?? null };
}

/** When the environment's newest scheduled backup started (whatever its outcome: a failed one is not retried before the next slot). */
function lastScheduledRun(rt: Runtime): Date | null {
  const row = rt.db
    .select({ createdAt: operations.createdAt })
    .from(operations)
    .where(and(eq(operations.environmentId, rt.environment.id), eq(operations.kind, 'backup'), like(operations.params, '%"kind":"scheduled"%')))
    .orderBy(desc(operations.createdAt))
    .limit(1)
    .get();
  return row?.createdAt ?? null;
}

function dueAt(rt: Runtime): Date | null {
  const { schedule, setAt } = stored(rt);
  return setAt ? nextRun(schedule, lastScheduledRun(rt), setAt) : null;
}

function scheduleDto(rt: Runtime): BackupScheduleDto {
  const { schedule, setAt, updatedBy } = stored(rt);
  const last = lastScheduledRun(rt);
  return {
    schedule,
    nextRunAt: setAt ? (nextRun(schedule, last, setAt)?.toISOString() ?? null) : null,
    lastRunAt: last?.toISOString() ?? null,
    updatedBy,
    updatedAt: setAt?.toISOString() ?? null,
  };
}

export function getSchedule(rt: Runtime, caller: Caller): BackupScheduleDto {
  requireRole(caller, 'operator');
  return scheduleDto(rt);
}

/** Sets the schedule and the retention (admin): which backups are kept decides which are forgotten. */
export function setSchedule(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<BackupScheduleDto>> {
  return authorize(caller, 'admin', async (actor) => {
    const parsed = backupScheduleSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    writeSetting(rt.db, scheduleSettingKey(rt.environment.id), parsed.data, actor.email);
    appendAudit(rt.db, { actor, action: 'backups.schedule', params: parsed.data, sourceIp: caller.sourceIp, outcome: 'success' });
    // The timer may be asleep for up to a minute: it looks at the new schedule now.
    (rt.cache.get(WAKE) as (() => void) | undefined)?.();
    return { ok: true, data: scheduleDto(rt) };
  });
}

function waitEnd(rt: Runtime, id: string): Promise<OperationDto> {
  return new Promise((resolve) => {
    let off: () => void = () => {};
    off = rt.operations.subscribe(id, Number.MAX_SAFE_INTEGER, (m) => {
      if (!('end' in m)) return;
      queueMicrotask(() => off());
      resolve(m.end);
    });
  });
}

function system(rt: Runtime, kind: 'backup' | 'drill' | 'retention', params: Record<string, unknown>, job: Job): OperationDto | null {
  const op = rt.operations.start({ kind, params, actor: null }, job);
  if ('busy' in op) {
    console.log(`[tale-console] Scheduled ${kind} not started: another operation is running (${op.busy}).`);
    return null;
  }
  return op;
}

/**
 * One scheduled run: the backup, then a drill of it, then retention. Answers false when the
 * backup could not start (another operation runs), so the timer tries again shortly.
 */
export async function runScheduled(rt: Runtime, schedule: BackupSchedule): Promise<boolean> {
  const backup = system(rt, 'backup', { kind: 'scheduled' }, async (ports, signal) => {
    if (!(await rt.backups.repo.isInitialised())) {
      throw new BackupError('BACKUP_REPOSITORY_MISSING', 'There is no backup repository yet: an admin takes the first backup (it creates the repository and shows its password once).');
    }
    const { manifest, manifestSnapshot } = await runBackup(backupPorts(rt, ports), { kind: 'scheduled', startedBy: null, signal });
    return backupResult(manifestSnapshot, manifest);
  });
  if (!backup) return false;
  const done = await waitEnd(rt, backup.id);
  if (done.status === 'succeeded' && typeof done.result?.backup === 'string') {
    const snapshot = done.result.backup;
    const drill = system(rt, 'drill', { snapshot, backupId: done.result.backupId, backupStartedAt: done.result.startedAt, scheduled: true }, drillJob(rt, snapshot));
    if (drill) await waitEnd(rt, drill.id);
  }
  // Retention also after a failed backup: it forgets the parts a cut-off backup left.
  const retention = system(rt, 'retention', { keep: schedule.keep, scheduled: true }, retentionJob(rt, schedule.keep));
  if (retention) await waitEnd(rt, retention.id);
  return true;
}

/**
 * Starts the schedule's timer once per runtime; answers the function that stops it. Each wake-up
 * reads the stored schedule again, so a change needs no restart.
 */
export function startBackupScheduler(rt: Runtime): () => void {
  const key = 'backups:scheduler';
  const existing = rt.cache.get(key) as (() => void) | undefined;
  if (existing) return existing;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let running = false;
  const arm = (ms: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void tick(), Math.max(1000, Math.min(ms, MAX_WAIT_MS)));
    timer.unref();
  };
  const tick = async () => {
    // A wake-up during a run waits for the run: the run re-arms the timer when it ends.
    if (running) return;
    running = true;
    let wait = MAX_WAIT_MS;
    try {
      const due = dueAt(rt);
      if (due) {
        const inMs = due.getTime() - rt.clock.now().getTime();
        if (inMs <= 0) wait = (await runScheduled(rt, stored(rt).schedule)) ? 1000 : BUSY_RETRY_MS;
        else wait = inMs;
      }
    } catch (err) {
      console.error('[tale-console] The backup schedule failed to run', err);
    } finally {
      running = false;
    }
    arm(wait);
  };
  arm(1000);
  const stop = () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    rt.cache.delete(key);
    rt.cache.delete(WAKE);
  };
  rt.cache.set(key, stop);
  rt.cache.set(WAKE, () => arm(0));
  return stop;
}
