import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempDb, type TempDb } from '../db/test-support/temp-db';
import { finishOperation, insertOperation, listOperations, runningOperation } from './operation-store';

let temp: TempDb;
const actor = { id: 'u1', email: 'ada@example.com' };

beforeEach(() => {
  temp = openTempDb('tc-operations-');
});
afterEach(() => temp.dispose());

function start(kind: Parameters<typeof insertOperation>[1]['kind']) {
  return insertOperation(temp.db, { kind, params: {}, actor });
}

describe('insertOperation', () => {
  it('refuses a reset while a database copy runs, naming the copy, and records nothing for the reset', () => {
    const copy = start('database-copy');
    expect('busy' in copy).toBe(false);
    expect(start('reset')).toEqual({ busy: 'database-copy' });
    const kinds = temp.sqlite.prepare('SELECT kind, status FROM operations').all();
    expect(kinds).toEqual([{ kind: 'database-copy', status: 'running' }]);
    expect(runningOperation(temp.db, 'local')?.kind).toBe('database-copy');
  });

  it('lets the reset start once the copy has finished', () => {
    const copy = start('database-copy');
    if ('busy' in copy) throw new Error('copy refused');
    finishOperation(temp.db, copy.id, { status: 'succeeded', result: { ok: true } });
    const reset = start('reset');
    expect('busy' in reset).toBe(false);
  });

  it('starts a dry run beside a deploy, and a deploy beside a dry run', () => {
    expect('busy' in start('dry-run')).toBe(false);
    expect('busy' in start('deploy')).toBe(false);
    expect('busy' in start('dry-run')).toBe(false);
    expect(start('update')).toEqual({ busy: 'deploy' });
  });
});

describe('one environment at a time', () => {
  it('runs a deploy on staging beside one on local, refuses a second on either, and lists each apart', () => {
    const local = insertOperation(temp.db, { kind: 'deploy', params: {}, actor });
    const staging = insertOperation(temp.db, { kind: 'deploy', params: {}, actor }, 'staging');
    expect('busy' in local || 'busy' in staging).toBe(false);
    expect(insertOperation(temp.db, { kind: 'update', params: {}, actor }, 'staging')).toEqual({ busy: 'deploy' });
    expect(insertOperation(temp.db, { kind: 'reset', params: {}, actor })).toEqual({ busy: 'deploy' });
    expect(listOperations(temp.db, 'staging').map((op) => op.environmentId)).toEqual(['staging']);
    expect(listOperations(temp.db, 'local').map((op) => op.environmentId)).toEqual(['local']);
    expect(runningOperation(temp.db, 'staging')?.id).toBe((staging as { id: string }).id);
    expect(runningOperation(temp.db, 'production')).toBeUndefined();
  });

  it('keeps the database lease per environment: a second running mutating row in one environment is refused by the index', () => {
    insertOperation(temp.db, { kind: 'deploy', params: {}, actor }, 'staging');
    const insert = temp.sqlite.prepare(
      "INSERT INTO operations (id, environment_id, kind, status, mutating, params, created_at) VALUES (?, ?, 'deploy', 'running', 1, '{}', 0)",
    );
    expect(() => insert.run('x1', 'staging')).toThrow(/UNIQUE/);
    expect(() => insert.run('x2', 'production')).not.toThrow();
  });
});
