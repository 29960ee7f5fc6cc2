import 'server-only';
import { CodedError } from '@/lib/errors';
import { runBackup, type RecordedRelease } from '../backup/backup-engine';
import { toBackupDto } from '../backup/manifest';
import type { BackupPorts } from '../backup/ports';
import { deploy } from '../engine/deploy';
import type { EnginePorts } from '../engine/ports';
import { ALL_SERVICES, type ServiceName } from '../stack/types';

// The two steps a restore adds around the engine's data restore (docs/backups.md#restore): the
// safety backup of the current state before anything changes, and the backup's recorded release
// deployed by digest after the data is back. Both run inside the restore's operation and under
// its deployment lock.

const SAFETY_STEP = 'pre-restore-backup';

/**
 * Backs up the current state (kind `pre-restore`) so the restore can itself be undone, or records
 * why it was skipped. A failure fails the restore before anything changed, saying why.
 */
export async function safetyBackup(p: BackupPorts, actor: string | null, skip: { reason: string } | undefined, signal: AbortSignal): Promise<Record<string, unknown>> {
  if (skip) {
    p.events.emit({ step: SAFETY_STEP, status: 'skipped', data: { reason: skip.reason } });
    return { safetyBackupSkipped: skip.reason };
  }
  p.events.emit({ step: SAFETY_STEP, status: 'started' });
  try {
    const { manifest, manifestSnapshot } = await runBackup(p, { kind: 'pre-restore', startedBy: actor, signal, lockHeld: true });
    const dto = toBackupDto(manifestSnapshot, manifest);
    p.events.emit({ step: SAFETY_STEP, status: 'succeeded', data: { backup: dto.id, backupId: dto.backupId, bytes: dto.bytes, durationMs: dto.durationMs } });
    return { safetyBackup: dto.id, safetyBackupId: dto.backupId };
  } catch (err) {
    // A cancel is a cancel, not a failed backup.
    if (signal.aborted) throw err;
    const cause = err instanceof CodedError ? `${err.message} (${err.code}; repository ${p.repo.location})` : 'the backup failed unexpectedly (the console log has details).';
    if (!(err instanceof CodedError)) console.error('[tale-console] safety backup before a restore failed', err);
    const failure = new CodedError(
      'PRE_RESTORE_BACKUP_FAILED',
      `The safety backup of the current state failed, so the restore did not start and nothing was changed: ${cause} Fix the backup repository and try again, or restore without a safety backup, giving a reason ("skipBackup": {"reason": "…"}, or "Skip the safety backup" in the dialog).`,
      { cause: err },
    );
    p.events.emit({ step: SAFETY_STEP, status: 'failed', data: { code: failure.code, message: failure.message } });
    throw failure;
  }
}

/** The digests of every service, or undefined when the record lacks one (then the tag is resolved). */
function fullDigests(digests: Record<string, string>): Record<ServiceName, string> | undefined {
  return ALL_SERVICES.every((s) => digests[s]) ? (digests as Record<ServiceName, string>) : undefined;
}

/**
 * A blue-green deploy of the backup's release by its recorded digests (as a rollback to a recorded
 * release does), under the restore's lock; its health gate is the restore's. Images that cannot
 * be pulled any more are a coded error that says the data is restored and what to do.
 */
export async function deployRecordedRelease(ports: EnginePorts, release: RecordedRelease, signal: AbortSignal): Promise<{ color: 'blue' | 'green' }> {
  let pullFailure: string | null = null;
  const events = {
    emit: (e: Parameters<EnginePorts['events']['emit']>[0]) => {
      if (e.step === 'pull' && e.status === 'failed') pullFailure = String(e.data?.message ?? 'the pull failed');
      ports.events.emit(e);
    },
  };
  const digests = fullDigests(release.digests);
  try {
    const r = await deploy({ ...ports, events }, { version: release.version, digests, lockHeld: true, signal });
    return { color: r.color };
  } catch (err) {
    if (signal.aborted) throw err;
    const stays = 'The services stay stopped, so that no other release runs on the restored data.';
    if (pullFailure !== null) {
      const images = digests ? Object.entries(digests).map(([s, d]) => `${s}@${d}`).join(', ') : `the ${release.version} tag`;
      throw new CodedError(
        'RESTORE_RELEASE_UNAVAILABLE',
        `The databases and volumes are restored, but the backup's release ${release.version} could not be deployed: its images (${images}) could not be pulled (${pullFailure}). ${stays} Push those images to the registry again and run the restore again, or deploy a release that runs on this data from the Deployments page.`,
        { cause: err },
      );
    }
    const why = err instanceof Error ? err.message : String(err);
    throw new CodedError(
      'RESTORE_RELEASE_FAILED',
      `The databases and volumes are restored, but deploying the backup's release ${release.version} failed: ${why} ${stays} Run the restore again, or deploy a release that runs on this data from the Deployments page.`,
      { cause: err },
    );
  }
}
