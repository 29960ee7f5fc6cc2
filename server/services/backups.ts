import 'server-only';
import type { ActionResult } from '@/lib/action-result';
import type { BackupDto, BackupListDto } from '@/lib/dto/backups';
import type { OperationDto } from '@/lib/dto/operations';
import { CodedError } from '@/lib/errors';
import { restoreInputSchema, startBackupInputSchema } from '@/lib/schemas/backups';
import { authorize, requireRole, type Caller } from '../auth/caller';
import { hasRole } from '../auth/roles';
import { readManifest, runBackup, runRestore, type RecordedRelease } from '../backup/backup-engine';
import { tags, toBackupDto, type BackupManifest } from '../backup/manifest';
import { serverLabel } from '../backup/external-sources';
import { createPassword, passwordExists } from '../backup/repository-password';
import { appendAudit } from '../db/audit-log';
import type { Runtime } from '../runtime';
import { getOperation } from '../operations/operation-store';
import { unfinishedRestore } from '../operations/restore-state';
import { latestDrills } from './backup-drills';
import { deployRecordedRelease, safetyBackup } from './restore-steps';
import { backupPorts } from './backup-ports';
import { confirmProject, invalid, launch, WRONG_PROJECT } from './operation-start';

// Backups and restores (docs/backups.md). A backup is a `backup` operation and a restore a
// `restore` operation: persisted, in the history, cancellable, refused beside the kinds they
// conflict with (server/operations/conflicts.ts). The repository is created on the first backup,
// and its password is shown on that one answer only.

const MANIFEST_CACHE = 'backups:manifest:';

/** The complete backups of this project, newest first. Manifests never change, so each is read once per process. */
export async function listBackups(rt: Runtime, caller: Caller): Promise<BackupListDto> {
  requireRole(caller, 'operator');
  const repo = rt.backups.repo;
  const initialised = await repo.isInitialised();
  const location = repo.location;
  if (!initialised || !(await passwordExists(rt.env.backup.passwordFile))) return { repository: { location, initialised: false }, backups: [] };
  const unfinished = unfinishedRestore(rt.db, rt.environment.id);
  const unfinishedOp = unfinished ? getOperation(rt.db, unfinished.id) : undefined;
  const projectId = await rt.project.readProjectId();
  const snapshots = await repo.snapshots([tags.manifest, tags.project(projectId)]);
  const drills = latestDrills(rt);
  const backups: BackupDto[] = [];
  for (const s of snapshots) {
    const key = MANIFEST_CACHE + s.id;
    let dto = rt.cache.get(key) as BackupDto | undefined;
    if (!dto) {
      dto = toBackupDto(s.id, await readManifest(rt.backups, s.id));
      rt.cache.set(key, dto);
    }
    backups.push({ ...dto, drill: drills.get(dto.backupId) ?? null });
  }
  backups.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  return {
    repository: { location, initialised: true },
    backups,
    unfinishedRestore: unfinishedOp ? { operationId: unfinishedOp.id, status: unfinishedOp.status, message: unfinishedOp.errorMessage } : null,
  };
}

/**
 * Creates the repository with a new password when there is none. One at a time per process: two
 * first backups at once must not write two passwords for one repository.
 */
export async function ensureRepository(rt: Runtime): Promise<string | null> {
  const key = 'backups:init';
  const pending = rt.cache.get(key) as Promise<string | null> | undefined;
  if (pending) return pending.then(() => null);
  const run = (async () => {
    if (await rt.backups.repo.isInitialised()) return null;
    const file = rt.env.backup.passwordFile;
    const password = (await passwordExists(file)) ? null : await createPassword(file);
    await rt.backups.repo.init();
    return password;
  })();
  rt.cache.set(key, run);
  try {
    return await run;
  } finally {
    rt.cache.delete(key);
  }
}

const FIRST_BACKUP_BY_ADMIN = {
  ok: false as const,
  code: 'FIRST_BACKUP_BY_ADMIN',
  message: 'An admin must take the first backup: it creates the encrypted repository and shows its password once.',
};

/** What a backup operation records as its result (the history shows it; the schedule drills `backup`). */
export function backupResult(manifestSnapshot: string, manifest: BackupManifest) {
  const dto = toBackupDto(manifestSnapshot, manifest);
  return { backup: dto.id, backupId: dto.backupId, startedAt: dto.startedAt, bytes: dto.bytes, dataAdded: dto.dataAdded, durationMs: dto.durationMs, databases: dto.databases.length, volumes: dto.volumes.length };
}

export type StartedBackup = OperationDto & { repositoryPassword: string | null };

/** Starts a manual backup; the first one also creates the repository and answers its password once. */
export function startBackup(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<StartedBackup>> {
  return authorize(caller, 'operator', async (actor) => {
    const parsed = startBackupInputSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    let password: string | null;
    try {
      // The first backup creates the repository and shows its password: a key to everything the
      // backups hold, .env secrets included, which operators are never shown.
      if (!hasRole(actor, 'admin') && !(await rt.backups.repo.isInitialised())) return FIRST_BACKUP_BY_ADMIN;
      password = await ensureRepository(rt);
    } catch (err) {
      if (err instanceof CodedError) return { ok: false, code: err.code, message: err.message };
      throw err;
    }
    if (password !== null) {
      appendAudit(rt.db, { actor, action: 'backups.repository_init', target: rt.backups.repo.location, sourceIp: caller.sourceIp, outcome: 'success', message: 'repository created; password shown once' });
    }
    const started = launch({ rt, caller, actor }, 'backup', { kind: 'manual' }, async (ports, signal) => {
      const { manifest, manifestSnapshot } = await runBackup(backupPorts(rt, ports), { kind: 'manual', startedBy: actor.email, signal });
      return backupResult(manifestSnapshot, manifest);
    });
    if (!started.ok) return started;
    return { ok: true, data: { ...started.data, repositoryPassword: password } };
  });
}

/** The external servers a backup's databases came from, as the admin types them (`host:port`, comma-separated); null when none. */
export function externalServersOf(m: BackupManifest): string | null {
  const labels = [...new Set(m.databases.flatMap((d) => (d.source?.kind === 'external' ? [serverLabel(d.source)] : [])))].sort();
  return labels.length ? labels.join(', ') : null;
}

/**
 * Restores a backup of this project (admin, with the project id typed as confirmation). The backup
 * is read and checked before anything starts: one of another project is refused outright.
 */
export function startRestore(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<OperationDto>> {
  return authorize(caller, 'admin', async (actor) => {
    const by = { rt, caller, actor };
    const parsed = restoreInputSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const { snapshot, projectId: typed, skipBackup, externalServer } = parsed.data;
    if (!(await confirmProject(by, 'operations.restore', typed, { snapshot }))) return WRONG_PROJECT;
    let manifest;
    try {
      if (!(await rt.backups.repo.isInitialised())) return { ok: false, code: 'BACKUP_NOT_FOUND', message: 'There is no backup repository yet.' };
      manifest = await readManifest(rt.backups, snapshot);
      const live = await rt.project.readProjectId();
      if (manifest.projectId !== live) {
        throw new CodedError('BACKUP_OTHER_PROJECT', `That backup belongs to project ${manifest.projectId}, not to this one (${live}): nothing was changed.`);
      }
      const servers = externalServersOf(manifest);
      if (servers && externalServer !== servers) {
        throw new CodedError(
          'RESTORE_EXTERNAL_UNCONFIRMED',
          `This restore writes into the external PostgreSQL server ${servers} (its tables there are replaced by the backup's): type ${servers} to confirm. Nothing was changed.`,
        );
      }
    } catch (err) {
      if (!(err instanceof CodedError)) throw err;
      appendAudit(rt.db, { actor, action: 'operations.restore', params: { snapshot }, sourceIp: caller.sourceIp, outcome: 'denied', message: err.code });
      return { ok: false, code: err.code, message: err.message };
    }
    const m = manifest;
    // A restore that did not finish left its writers stopped: this one starts them again.
    const stoppedBefore = unfinishedRestore(rt.db, rt.environment.id)?.stopped ?? [];
    const params = { snapshot, backupId: m.backupId, backupStartedAt: m.startedAt, ...(skipBackup ? { skipBackup } : {}) };
    return launch(by, 'restore', params, async (ports, signal) => {
      const p = backupPorts(rt, ports);
      let safety: Record<string, unknown> = {};
      const beforeChanges = async () => {
        safety = await safetyBackup(p, actor.email, skipBackup, signal);
      };
      const deployRelease = (release: RecordedRelease) => deployRecordedRelease(ports, release, signal);
      const result = await runRestore(p, { manifest: m, signal, beforeChanges, stoppedBefore, deployRelease });
      return { ...result, ...safety };
    });
  });
}
