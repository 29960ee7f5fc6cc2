import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { openTempDb, type TempDb } from '../db/test-support/temp-db';
import { operations } from '../db/schema/operations';
import { appendEvent, eventsAfter, insertOperation, interruptRunning } from './operation-store';
import { BACKUP_INTERRUPTED, explainInterruptedBackups } from './backup-state';

// What the start-up learns from operations cut off while they used the backup repository.

let temp: TempDb;
beforeEach(() => {
  temp = openTempDb('tc-backup-state-');
});
afterEach(() => temp.dispose());

function running(kind: 'backup' | 'deploy' | 'drill' | 'cleanup', backupIds: string[] = []) {
  const row = insertOperation(temp.db, { kind, params: {}, actor: null });
  if ('busy' in row) throw new Error('busy');
  for (const id of backupIds) appendEvent(temp.db, row.id, { at: new Date(), step: 'backup', status: 'started', data: JSON.stringify({ item: 'databases/tale.sql', backupId: id }) });
  return row.id;
}

describe('explainInterruptedBackups', () => {
  it('gives an interrupted backup its cause and collects the backups every cut-off operation started', () => {
    const backup = running('backup', ['b-1', 'b-1']);
    expect(explainInterruptedBackups(temp.db, interruptRunning(temp.db))).toEqual({ usedRepository: true, backupIds: ['b-1'] });
    const row = temp.db.select().from(operations).where(eq(operations.id, backup)).get()!;
    expect(row.errorCode).toBe(BACKUP_INTERRUPTED);
    expect(row.errorMessage).toContain('not listed');
    expect(eventsAfter(temp.db, backup, 0).at(-1)).toMatchObject({ step: 'interrupted', status: 'failed' });
    // A deploy cut off during its pre-upgrade backup: that backup's parts go, its own cause stays.
    const deploy = running('deploy', ['b-2']);
    expect(explainInterruptedBackups(temp.db, interruptRunning(temp.db))).toEqual({ usedRepository: true, backupIds: ['b-2'] });
    expect(temp.db.select().from(operations).where(eq(operations.id, deploy)).get()!.errorCode).toBe('INTERRUPTED');
  });

  it('a drill cut off used the repository too; a cleanup did not', () => {
    running('cleanup');
    expect(explainInterruptedBackups(temp.db, interruptRunning(temp.db))).toEqual({ usedRepository: false, backupIds: [] });
    running('drill');
    expect(explainInterruptedBackups(temp.db, interruptRunning(temp.db))).toEqual({ usedRepository: true, backupIds: [] });
  });
});
