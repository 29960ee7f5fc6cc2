import { describe, expect, it } from 'vitest';
import type { OperationKind } from '@/lib/dto/operations';
import { OPERATION_KINDS } from '../db/schema/operations';
import { CONFLICTS, conflictingKind, conflicts, holdsStackLease, inProgress } from './conflicts';

const STACK: OperationKind[] = ['deploy', 'rollback', 'update', 'cleanup', 'reset', 'reconcile', 'database-copy', 'backup', 'restore', 'apply-settings', 'prune-images', 'promote'];
/** A dry run only plans; only a restore, which stops and starts containers under it, excludes it. */
const REPOSITORY: OperationKind[] = ['backup', 'restore', 'drill', 'retention', 'repository-check'];
const EXCLUSIVE: OperationKind[] = ['retention', 'repository-check'];
const pair = (a: OperationKind, b: OperationKind, x: OperationKind, y: OperationKind) => (a === x && b === y) || (a === y && b === x);
const expected = (a: OperationKind, b: OperationKind) =>
  (STACK.includes(a) && STACK.includes(b)) ||
  pair(a, b, 'restore', 'dry-run') ||
  // restic's exclusive lock (forget --prune, check) against anything that uses the repository.
  (EXCLUSIVE.includes(a) && REPOSITORY.includes(b)) ||
  (EXCLUSIVE.includes(b) && REPOSITORY.includes(a)) ||
  // One drill at a time, never during a restore.
  pair(a, b, 'drill', 'drill') ||
  pair(a, b, 'drill', 'restore') ||
  // One background pre-pull at a time; it runs beside everything else but a prune.
  pair(a, b, 'pre-pull', 'pre-pull') ||
  pair(a, b, 'pre-pull', 'prune-images') ||
  // A drill starts a container from the db image that a prune could be removing.
  pair(a, b, 'drill', 'prune-images');

describe('the conflict table', () => {
  it('has a row for every kind the database stores, and no other', () => {
    expect(Object.keys(CONFLICTS).sort()).toEqual([...OPERATION_KINDS].sort());
  });

  it('decides every pair, the same both ways round', () => {
    for (const a of OPERATION_KINDS) {
      for (const b of OPERATION_KINDS) {
        expect(conflicts(a, b), `${a} vs ${b}`).toBe(conflicts(b, a));
        // Every kind that touches the stack or the bundled db excludes every other.
        expect(conflicts(a, b), `${a} vs ${b}`).toBe(expected(a, b));
      }
    }
  });

  it('refuses a reset while the bundled database is being copied, and a second copy', () => {
    expect(conflictingKind('reset', ['database-copy'])).toBe('database-copy');
    expect(conflictingKind('database-copy', ['reset'])).toBe('reset');
    expect(conflictingKind('database-copy', ['database-copy'])).toBe('database-copy');
    for (const kind of ['deploy', 'rollback', 'update', 'cleanup', 'reconcile'] as const) {
      expect(conflictingKind('database-copy', [kind]), kind).toBe(kind);
    }
  });

  it('refuses a backup beside anything that changes the stack, and a restore beside anything at all', () => {
    for (const kind of STACK) expect(conflictingKind('backup', [kind]), kind).toBe(kind);
    for (const kind of [...STACK, 'dry-run'] as const) expect(conflictingKind('restore', [kind]), kind).toBe(kind);
    expect(conflictingKind('backup', ['dry-run'])).toBeNull();
  });

  it('lets a dry run start beside anything but a restore, and anything but a restore beside a dry run', () => {
    expect(conflictingKind('dry-run', STACK.filter((k) => k !== 'restore'))).toBeNull();
    expect(conflictingKind('dry-run', ['restore'])).toBe('restore');
    expect(conflictingKind('deploy', ['dry-run', 'dry-run'])).toBeNull();
    expect(conflictingKind('deploy', [])).toBeNull();
  });

  it('lets a drill run beside a deploy and a backup, but not beside a restore, retention, a check or another drill', () => {
    for (const kind of ['deploy', 'rollback', 'update', 'cleanup', 'reset', 'reconcile', 'database-copy', 'backup', 'dry-run'] as const) {
      expect(conflictingKind('drill', [kind]), kind).toBeNull();
    }
    for (const kind of ['drill', 'restore', 'retention', 'repository-check'] as const) expect(conflictingKind('drill', [kind]), kind).toBe(kind);
    expect(conflictingKind('retention', ['deploy'])).toBeNull();
  });

  it('lets a background pre-pull run beside every kind but another pre-pull and a prune, and never blocks a deploy', () => {
    for (const kind of OPERATION_KINDS.filter((k) => k !== 'pre-pull' && k !== 'prune-images')) {
      expect(conflictingKind('pre-pull', [kind]), kind).toBeNull();
      expect(conflictingKind(kind, ['pre-pull']), kind).toBeNull();
    }
    expect(conflictingKind('pre-pull', ['pre-pull'])).toBe('pre-pull');
    expect(conflictingKind('pre-pull', ['prune-images'])).toBe('prune-images');
    expect(holdsStackLease('pre-pull')).toBe(false);
  });

  it('gives the stack lease to the kinds that exclude a deploy', () => {
    expect(OPERATION_KINDS.filter(holdsStackLease).sort()).toEqual([...STACK].sort());
  });

  it('names the running kind in the refusal', () => {
    expect(inProgress('database-copy')).toEqual({
      ok: false,
      code: 'OPERATION_IN_PROGRESS',
      message: 'Another operation is running (database-copy). Wait for it to finish or cancel it.',
    });
  });
});
