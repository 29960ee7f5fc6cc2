import 'server-only';
import { and, desc, eq } from 'drizzle-orm';
import type { ActionResult } from '@/lib/action-result';
import type { BackupHealthDto, DrillDto, DrillListDto } from '@/lib/dto/backups';
import type { OperationDto } from '@/lib/dto/operations';
import { CodedError } from '@/lib/errors';
import { checkInputSchema, drillInputSchema } from '@/lib/schemas/backups';
import { authorize, requireRole, type Caller } from '../auth/caller';
import { BackupError } from '../backup/backup-error';
import { readManifest } from '../backup/backup-engine';
import { runDrill, type DrillPorts } from '../backup/drill';
import { tags } from '../backup/manifest';
import { groupByBackup, planRetention, type RetentionPolicy } from '../backup/retention';
import { operations } from '../db/schema/operations';
import type { EnginePorts } from '../engine/ports';
import type { Job } from '../operations/runner';
import { toOperationDto } from '../operations/operation-store';
import type { Runtime } from '../runtime';
import { invalid, launch } from './operation-start';
import { backupPorts } from './backup-ports';

// Restore drills, retention and the integrity check (docs/backups.md#restore-drill). A drill is a
// `drill` operation, and its operation row is its record: the history keeps who ran it, when, how
// long it took and why it failed (the tables that differ, in its coded error), so no second table
// repeats it. The list, the overview and the API read the drills from there.

function drillPorts(rt: Runtime, ports: EnginePorts): DrillPorts {
  // The backup's ports (the stack's db image when no db container runs) and the throwaway server.
  return { ...backupPorts(rt, ports), sandbox: rt.backups.sandbox };
}

/** How many drills the list and the overview look back over: enough for every listed backup. */
const DRILL_HISTORY = 500;

function toDrillDto(op: OperationDto): DrillDto {
  const status = op.status === 'succeeded' ? 'passed' : op.status;
  const result = op.result ?? {};
  return {
    operationId: op.id,
    snapshot: String(op.params.snapshot ?? ''),
    backupId: String(op.params.backupId ?? ''),
    backupStartedAt: typeof op.params.backupStartedAt === 'string' ? op.params.backupStartedAt : null,
    status,
    actor: op.actor,
    startedAt: op.createdAt,
    finishedAt: op.finishedAt,
    durationMs: op.finishedAt ? Date.parse(op.finishedAt) - Date.parse(op.createdAt) : null,
    tables: typeof result.tables === 'number' ? result.tables : null,
    error: op.error,
  };
}

/** The drills this console ran in the runtime's environment (each has its own repository), newest first. */
function drillRows(rt: Runtime, limit = DRILL_HISTORY): DrillDto[] {
  return rt.db
    .select()
    .from(operations)
    .where(and(eq(operations.environmentId, rt.environment.id), eq(operations.kind, 'drill'))).orderBy(desc(operations.createdAt)).limit(limit).all().map(toOperationDto).map(toDrillDto);
}

/**
 * The newest drill of each backup, by backup id (the manifest's uuid): a snapshot may be named by
 * its full id or any prefix of it, a backup id only one way.
 */
export function latestDrills(rt: Runtime): Map<string, DrillDto> {
  const out = new Map<string, DrillDto>();
  for (const d of drillRows(rt)) if (!out.has(d.backupId)) out.set(d.backupId, d);
  return out;
}

export function listDrills(rt: Runtime, caller: Caller): DrillListDto {
  requireRole(caller, 'operator');
  return { drills: drillRows(rt, 100), health: backupHealth(rt, caller) };
}

/** "Last backup … · last proven restorable …" and a failed drill, for the overview: history only, no restic. */
export function backupHealth(rt: Runtime, caller: Caller): BackupHealthDto {
  requireRole(caller, 'viewer');
  const lastBackup = rt.db
    .select()
    .from(operations)
    .where(and(eq(operations.environmentId, rt.environment.id), eq(operations.kind, 'backup'), eq(operations.status, 'succeeded')))
    .orderBy(desc(operations.createdAt))
    .limit(1)
    .get();
  const drills = drillRows(rt, 50).filter((d) => d.status === 'passed' || d.status === 'failed');
  const proven = drills.find((d) => d.status === 'passed');
  const newest = drills[0];
  const result = lastBackup ? toOperationDto(lastBackup).result : null;
  return {
    lastBackupAt: typeof result?.startedAt === 'string' ? result.startedAt : (lastBackup?.createdAt.toISOString() ?? null),
    lastProvenAt: proven ? (proven.backupStartedAt ?? proven.startedAt) : null,
    failedDrill: newest?.status === 'failed' ? newest : null,
  };
}

/** The job of a drill of one backup; the manifest is read (and checked) when it runs. */
export function drillJob(rt: Runtime, snapshot: string): Job {
  return async (ports, signal) => {
    const manifest = await readManifest(rt.backups, snapshot, signal);
    const r = await runDrill(drillPorts(rt, ports), { snapshot, manifest, signal });
    return { passed: r.passed, backup: r.snapshot, backupId: r.backupId, durationMs: r.durationMs, databases: r.databases, tables: r.tables, errors: r.errors };
  };
}

/** Starts a restore drill of one backup (operator): it touches no live container. */
export function startDrill(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<OperationDto>> {
  return authorize(caller, 'operator', async (actor) => {
    const parsed = drillInputSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const { snapshot } = parsed.data;
    let backupStartedAt: string;
    let backupId: string;
    try {
      if (!(await rt.backups.repo.isInitialised())) return { ok: false, code: 'BACKUP_NOT_FOUND', message: 'There is no backup repository yet.' };
      const manifest = await readManifest(rt.backups, snapshot);
      ({ startedAt: backupStartedAt, backupId } = manifest);
    } catch (err) {
      if (err instanceof CodedError) return { ok: false, code: err.code, message: err.message };
      throw err;
    }
    return launch({ rt, caller, actor }, 'drill', { snapshot, backupId, backupStartedAt }, drillJob(rt, snapshot));
  });
}

/**
 * Forgets the backups the policy does not keep, every part of each together, and the parts of
 * backups that never got a manifest; then prunes the data no snapshot refers to.
 */
export function retentionJob(rt: Runtime, keep: RetentionPolicy): Job {
  return async (ports) => {
    const projectId = await ports.project.readProjectId();
    const groups = groupByBackup(await rt.backups.repo.snapshots([tags.project(projectId)]));
    const plan = planRetention(groups, keep);
    ports.events.emit({ step: 'retention', status: 'started', data: { backups: groups.length, keep: plan.keep.length, forget: plan.forget.map((g) => g.backupId) } });
    const ids = plan.forget.flatMap((g) => g.snapshotIds);
    if (ids.length > 0) {
      await rt.backups.repo.forget(ids);
      await rt.backups.repo.prune();
    }
    ports.events.emit({ step: 'retention', status: 'succeeded', data: { kept: plan.keep.length, forgotten: plan.forget.length, snapshots: ids.length } });
    return { kept: plan.keep.map((g) => g.backupId), forgotten: plan.forget.map((g) => g.backupId), snapshots: ids.length };
  };
}

/** `restic check` as a job: a failure says that the repository is damaged, in those words. */
export function checkJob(rt: Runtime): Job {
  return async (ports, signal) => {
    ports.events.emit({ step: 'check', status: 'started' });
    try {
      await rt.backups.repo.check({ readData: false, signal });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      ports.events.emit({ step: 'check', status: 'failed' });
      throw new BackupError('REPOSITORY_CHECK_FAILED', `The integrity check of the backup repository failed: ${why} Backups in it may not be restorable; take a new backup to another repository.`, { cause: err });
    }
    ports.events.emit({ step: 'check', status: 'succeeded' });
    return { ok: true };
  };
}

/** The on-demand integrity check (operator). */
export function startCheck(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<OperationDto>> {
  return authorize(caller, 'operator', async (actor) => {
    const parsed = checkInputSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    if (!(await rt.backups.repo.isInitialised())) return { ok: false, code: 'BACKUP_NOT_FOUND', message: 'There is no backup repository yet.' };
    return launch({ rt, caller, actor }, 'repository-check', {}, checkJob(rt));
  });
}
