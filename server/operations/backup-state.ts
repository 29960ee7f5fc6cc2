import { eq } from 'drizzle-orm';
import type { OperationKind } from '@/lib/dto/operations';
import type { Db } from '../db/client';
import { operations, type OperationRow } from '../db/schema/operations';
import { appendEvent, eventsAfter } from './operation-store';

// What an operation cut off while it used the backup repository left there, read from its own
// timeline: the ids of the backups it had started (every `backup` step's start carries one, a
// deploy's pre-upgrade backup and a restore's safety backup included). The start-up releases the
// repository and forgets those backups' parts (server/backup/interrupted-backup.ts).

/** The kinds that run restic on the repository (and so may leave its lock behind). */
const REPOSITORY_KINDS: readonly OperationKind[] = ['backup', 'restore', 'drill', 'retention', 'repository-check'];

export const BACKUP_INTERRUPTED = 'BACKUP_INTERRUPTED';

export const INTERRUPTED_BACKUP_MESSAGE =
  'The console stopped during this backup: it was not completed and is not listed (a backup counts only once its manifest is stored). ' +
  'At start-up the console releases the repository lock it held and forgets the parts it had stored; the live site was not touched. Start a new backup.';

/** The backup ids an operation's timeline says it started. */
export function backupIdsStartedBy(db: Db, operationId: string): string[] {
  const ids = new Set<string>();
  for (const e of eventsAfter(db, operationId, 0)) {
    if (e.step !== 'backup' || e.status !== 'started' || !e.data) continue;
    const data = JSON.parse(e.data) as { backupId?: unknown };
    if (typeof data.backupId === 'string') ids.add(data.backupId);
  }
  return [...ids];
}

/**
 * At start-up, after the running operations were marked interrupted: each backup among them gets
 * the cause above (code BACKUP_INTERRUPTED) on its row and as an event of its timeline. Returns
 * whether any of them used the repository, and the backups they had started.
 */
export function explainInterruptedBackups(db: Db, interrupted: OperationRow[], at = new Date()): { usedRepository: boolean; backupIds: string[] } {
  const backupIds: string[] = [];
  let usedRepository = false;
  for (const op of interrupted) {
    const started = backupIdsStartedBy(db, op.id);
    backupIds.push(...started);
    if (started.length || REPOSITORY_KINDS.includes(op.kind)) usedRepository = true;
    if (op.kind !== 'backup') continue;
    db.update(operations).set({ errorCode: BACKUP_INTERRUPTED, errorMessage: INTERRUPTED_BACKUP_MESSAGE }).where(eq(operations.id, op.id)).run();
    appendEvent(db, op.id, { at, step: 'interrupted', status: 'failed', data: JSON.stringify({ code: BACKUP_INTERRUPTED, message: INTERRUPTED_BACKUP_MESSAGE }) });
  }
  return { usedRepository, backupIds };
}
