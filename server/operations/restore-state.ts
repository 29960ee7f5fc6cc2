import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { operations, type OperationRow } from '../db/schema/operations';
import { appendEvent, eventsAfter } from './operation-store';

// What a restore that did not finish left behind, read from its own timeline: the writers it
// stopped (its `stop-writers` event) stay stopped, so that nothing writes into half-restored
// data. The next restore starts them again (server/services/backups.ts), and the start-up
// reconcile says so on the interrupted operation (reconcile-at-start.ts).

/** The writers a restore's timeline says it stopped; [] before it stopped any. */
export function writersStoppedBy(db: Db, operationId: string): string[] {
  for (const e of eventsAfter(db, operationId, 0)) {
    if (e.step !== 'restore' || e.status !== 'succeeded' || !e.data) continue;
    const data = JSON.parse(e.data) as { item?: unknown; containers?: unknown };
    if (data.item === 'stop-writers' && Array.isArray(data.containers)) return data.containers.filter((c): c is string => typeof c === 'string');
  }
  return [];
}

/** The operations after which no earlier restore's stopped writers matter: a finished one of these recreated or restarted them. */
const STACK_CHANGES = ['restore', 'deploy', 'rollback', 'update'] as const;
/** How far back to look: unfinished restores in a row are few. */
const LOOK_BACK = 50;

/**
 * The restores that did not finish (failed, cancelled or interrupted) since the last restore,
 * deploy, rollback or update that succeeded, newest first as `id`/`status`, with every writer
 * they stopped: one that failed before stopping anything (a failed safety backup) must not hide
 * an interrupted one before it. Per environment: another host's stopped writers are not this one's.
 */
export function unfinishedRestore(db: Db, environmentId: string): { id: string; status: string; stopped: string[] } | null {
  const recent = db
    .select()
    .from(operations)
    .where(and(eq(operations.environmentId, environmentId), inArray(operations.kind, [...STACK_CHANGES]))).orderBy(desc(operations.createdAt)).limit(LOOK_BACK).all();
  const unfinished: OperationRow[] = [];
  for (const op of recent) {
    if (op.status === 'succeeded') break;
    if (op.kind === 'restore' && op.status !== 'running') unfinished.push(op);
  }
  const newest = unfinished[0];
  if (!newest) return null;
  return { id: newest.id, status: newest.status, stopped: [...new Set(unfinished.flatMap((op) => writersStoppedBy(db, op.id)))] };
}

export const RESTORE_INTERRUPTED = 'RESTORE_INTERRUPTED';

/** The cause an interrupted restore carries: what state the data is in and how to finish. */
export function interruptedRestoreMessage(stopped: string[]): string {
  const writers = stopped.length
    ? `The services it stopped (${stopped.join(', ')}) stay stopped, so nothing writes into it and the site shows its maintenance page.`
    : 'It had not stopped any service yet.';
  return `The console stopped during this restore: the databases and volumes may be half-restored. ${writers} Run the restore again: it restores every part again and starts those services.`;
}

/**
 * At start-up, after the running operations were marked interrupted: each restore among them gets
 * the cause above (code RESTORE_INTERRUPTED) on its row and as an event of its timeline.
 */
export function explainInterruptedRestores(db: Db, interrupted: OperationRow[], at = new Date()): string[] {
  const ids: string[] = [];
  for (const op of interrupted.filter((o) => o.kind === 'restore')) {
    const message = interruptedRestoreMessage(writersStoppedBy(db, op.id));
    db.update(operations).set({ errorCode: RESTORE_INTERRUPTED, errorMessage: message }).where(eq(operations.id, op.id)).run();
    appendEvent(db, op.id, { at, step: 'interrupted', status: 'failed', data: JSON.stringify({ code: RESTORE_INTERRUPTED, message }) });
    ids.push(op.id);
  }
  return ids;
}
