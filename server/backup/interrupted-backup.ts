import { tags } from './manifest';
import type { BackupRepository } from './ports';

// What a console killed mid-backup (SIGKILL, power cut, OOM) leaves in the repository, cleared at
// its next start: the lock of the restic it ran, which died with it, and the parts the backup had
// stored (each part is its own snapshot; a restic whose stdin closed early may even have written
// one for a truncated dump). None of those parts is ever listed (only a backup with its manifest
// is), but they would keep their data in the repository forever.

/**
 * Releases the repository's stale locks (`restic unlock` removes only locks whose process is gone
 * or that are older than 30 minutes: a live restic keeps its own) and forgets every part of the
 * given backups that has no manifest. A backup whose manifest was stored before the kill is
 * complete and left alone.
 */
export async function releaseInterruptedBackups(repo: Pick<BackupRepository, 'unlock' | 'snapshots' | 'forget'>, backupIds: readonly string[]): Promise<{ forgotten: string[] }> {
  await repo.unlock();
  const forgotten: string[] = [];
  for (const id of new Set(backupIds)) {
    const parts = await repo.snapshots([tags.backup(id)]);
    if (parts.some((s) => s.tags.includes(tags.manifest))) continue;
    forgotten.push(...parts.map((s) => s.id));
  }
  await repo.forget(forgotten);
  return { forgotten };
}
