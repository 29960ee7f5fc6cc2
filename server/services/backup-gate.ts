import 'server-only';
import { CodedError } from '@/lib/errors';
import type { BackupGateDto } from '@/lib/dto/operations';
import type { Caller } from '../auth/caller';
import { runBackup } from '../backup/backup-engine';
import { toBackupDto } from '../backup/manifest';
import { passwordExists } from '../backup/repository-password';
import type { DeployPlan } from '../engine/plan-types';
import type { EnginePorts } from '../engine/ports';
import type { Runtime } from '../runtime';
import { backupPorts } from './backup-ports';
import { listBackups } from './backups';

// The backup gate (docs/backups.md#the-backup-gate): a deploy, in-place update, rollback or
// promotion (docs/environments.md#promotion) that changes the live version first takes a backup of kind `pre-upgrade`, inside the same operation
// and under the same deployment lock as the deploy, after its plan and before its first change. A
// backup that fails fails the operation with nothing changed; the operator may skip the backup for
// one operation with a typed reason (audited with the start, shown in the timeline).

export type GatedKind = 'deploy' | 'update' | 'rollback' | 'promote';

/** The kind as the messages say it ("before a promotion", not "before a promote"). */
const word = (kind: GatedKind) => (kind === 'promote' ? 'promotion' : kind);


/**
 * A version change, or any rollback (the dialog shows every rollback the schema warning: Convex's
 * data is not rolled back with it). Nothing live means no release whose data an upgrade could
 * change.
 */
export function needsBackup(plan: Pick<DeployPlan, 'kind' | 'version' | 'liveVersion'>): boolean {
  if (plan.liveVersion === null) return false;
  return plan.kind === 'rollback' || plan.version !== plan.liveVersion;
}

/**
 * No repository was ever created (no repository and no password): the first backup is an admin's
 * (it shows the password once), which the gate does not take on anyone's behalf. A repository
 * that is gone while its password remains is not this case: that backup fails and says why.
 */
export async function noRepositoryYet(rt: Runtime): Promise<boolean> {
  return !(await rt.backups.repo.isInitialised()) && !(await passwordExists(rt.env.backup.passwordFile));
}

const skipHint = (kind: GatedKind) => `or start the ${word(kind)} again with the backup skipped and a reason ("skipBackup": {"reason": "…"}, or "skip the backup" in the dialog)`;

export function noRepositoryError(kind: GatedKind): CodedError {
  return new CodedError(
    'BACKUP_GATE_NO_REPOSITORY',
    `No backup has been taken yet, so there is no repository for the backup taken before a ${word(kind)}. An admin must take the first backup on the Backups page (it creates the encrypted repository and shows its password once), ${skipHint(kind)}. Nothing was changed.`,
  );
}

export type GateOptions = { kind: GatedKind; actor: string | null; skip?: { reason: string }; signal: AbortSignal };

/**
 * The deploy's `beforeChanges` hook and what it did: `backup` (the manifest snapshot) and
 * `backupId` of the pre-upgrade backup once taken, for the operation's result.
 */
export function backupGate(rt: Runtime, ports: EnginePorts, opts: GateOptions): { beforeChanges: (plan: DeployPlan) => Promise<void>; result: () => Record<string, unknown> } {
  let outcome: Record<string, unknown> = {};
  const step = 'pre-upgrade-backup';
  const beforeChanges = async (plan: DeployPlan) => {
    if (!needsBackup(plan)) return;
    const change = { from: plan.liveVersion, to: plan.version };
    if (opts.skip) {
      ports.events.emit({ step, status: 'skipped', data: { ...change, reason: opts.skip.reason } });
      outcome = { backupSkipped: opts.skip.reason };
      return;
    }
    ports.events.emit({ step, status: 'started', data: change });
    try {
      if (await noRepositoryYet(rt)) throw noRepositoryError(opts.kind);
      const { manifest, manifestSnapshot } = await runBackup(backupPorts(rt, ports), { kind: 'pre-upgrade', startedBy: opts.actor, signal: opts.signal, lockHeld: true });
      const dto = toBackupDto(manifestSnapshot, manifest);
      // backupId (the manifest's uuid) names it on the Backups page; restic reports `backup` as a short id.
      outcome = { backup: dto.id, backupId: dto.backupId, backupBytes: dto.bytes, backupDurationMs: dto.durationMs };
      ports.events.emit({ step, status: 'succeeded', data: { ...change, backup: dto.id, backupId: dto.backupId, bytes: dto.bytes, durationMs: dto.durationMs } });
    } catch (err) {
      // A cancel is a cancel, not a failed backup.
      if (opts.signal.aborted) throw err;
      const failure = gateFailure(opts.kind, rt.backups.repo.location, err);
      ports.events.emit({ step, status: 'failed', data: { code: failure.code, message: failure.message } });
      throw failure;
    }
  };
  return { beforeChanges, result: () => outcome };
}

/** The backup's own reason, and what to do: fix the repository or skip with a reason. */
function gateFailure(kind: GatedKind, location: string, err: unknown): CodedError {
  if (err instanceof CodedError && err.code === 'BACKUP_GATE_NO_REPOSITORY') return err;
  const cause = err instanceof CodedError ? `${err.message} (${err.code}; repository ${location})` : 'the backup failed unexpectedly (the console log has details).';
  if (!(err instanceof CodedError)) console.error('[tale-console] pre-upgrade backup failed', err);
  return new CodedError(
    'PRE_UPGRADE_BACKUP_FAILED',
    `The backup before the ${word(kind)} failed, so the ${word(kind)} did not start and no container was changed: ${cause} Fix the backup repository and try again, ${skipHint(kind)}.`,
    { cause: err },
  );
}

/** What the deploy dialog says about the gate: whether a backup comes first and what the last one cost. */
export async function gatePreview(rt: Runtime, caller: Caller, plan: Pick<DeployPlan, 'kind' | 'version' | 'liveVersion'>): Promise<BackupGateDto> {
  const required = needsBackup(plan);
  if (!required) return { required, repository: 'ready', last: null };
  if (await noRepositoryYet(rt)) return { required, repository: 'none', last: null };
  try {
    const last = (await listBackups(rt, caller)).backups[0];
    return { required, repository: 'ready', last: last ? { bytes: last.bytes, durationMs: last.durationMs } : null };
  } catch (err) {
    // The repository cannot be read now: the gate's backup will say why.
    if (err instanceof CodedError) return { required, repository: 'ready', last: null };
    throw err;
  }
}
