import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { openTempDb, type TempDb } from '../db/test-support/temp-db';
import { operations } from '../db/schema/operations';
import { appendEvent, finishOperation, insertOperation, interruptRunning } from './operation-store';
import { explainInterruptedRestores, unfinishedRestore } from './restore-state';

// What an unfinished restore left, read from the history: the writers the next restore must start
// again, and the cause an interrupted one carries.

let temp: TempDb;
let clock = Date.parse('2026-12-01T00:00:00Z');

beforeEach(() => {
  temp = openTempDb('tc-restore-state-');
});
afterEach(() => temp.dispose());

/** One operation, finished as `status`, one second after the one before; `stopped`: its stop-writers event. */
function op(kind: 'restore' | 'deploy', status: 'succeeded' | 'failed' | 'running', stopped?: string[], environmentId = 'local') {
  const row = insertOperation(temp.db, { kind, params: {}, actor: null }, environmentId);
  if ('busy' in row) throw new Error('busy');
  temp.db.update(operations).set({ createdAt: new Date((clock += 1000)) }).where(eq(operations.id, row.id)).run();
  if (stopped) appendEvent(temp.db, row.id, { at: new Date(), step: 'restore', status: 'succeeded', data: JSON.stringify({ item: 'stop-writers', containers: stopped }) });
  if (status !== 'running') finishOperation(temp.db, row.id, { status, error: status === 'failed' ? { code: 'X', message: 'x' } : undefined });
  return row.id;
}

describe('unfinished restores', () => {
  it('collects the writers of every unfinished restore since the last success, a failed safety backup hiding none', () => {
    op('restore', 'failed', ['old-platform-green']);
    op('deploy', 'succeeded');
    op('restore', 'running', ['p-blue', 'convex']);
    const interrupted = interruptRunning(temp.db);
    const latest = op('restore', 'failed'); // its safety backup failed: it stopped nothing
    expect(unfinishedRestore(temp.db, 'local')).toEqual({ id: latest, status: 'failed', stopped: ['p-blue', 'convex'] });
    expect(explainInterruptedRestores(temp.db, interrupted)).toHaveLength(1);
    const row = temp.db.select().from(operations).where(eq(operations.id, interrupted[0]!.id)).get()!;
    expect(row.errorCode).toBe('RESTORE_INTERRUPTED');
    expect(row.errorMessage).toContain('half-restored');
    expect(row.errorMessage).toContain('(p-blue, convex) stay stopped');
    op('restore', 'succeeded');
    expect(unfinishedRestore(temp.db, 'local')).toBeNull();
  });

  it("keeps each environment's unfinished restore to itself", () => {
    const staging = op('restore', 'failed', ['staging-platform-blue'], 'staging');
    op('deploy', 'succeeded');
    expect(unfinishedRestore(temp.db, 'local')).toBeNull();
    expect(unfinishedRestore(temp.db, 'staging')).toEqual({ id: staging, status: 'failed', stopped: ['staging-platform-blue'] });
  });
});
