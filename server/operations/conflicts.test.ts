import { describe, expect, it } from 'vitest';
import type { OperationKind } from '@/lib/dto/operations';
import { OPERATION_KINDS } from '../db/schema/operations';
import { CONFLICTS, conflictingKind, conflicts, holdsStackLease, inProgress } from './conflicts';

const STACK: OperationKind[] = ['deploy', 'rollback', 'update', 'cleanup', 'reset', 'reconcile', 'database-copy'];

describe('the conflict table', () => {
  it('has a row for every kind the database stores, and no other', () => {
    expect(Object.keys(CONFLICTS).sort()).toEqual([...OPERATION_KINDS].sort());
  });

  it('decides every pair, the same both ways round', () => {
    for (const a of OPERATION_KINDS) {
      for (const b of OPERATION_KINDS) {
        expect(conflicts(a, b), `${a} vs ${b}`).toBe(conflicts(b, a));
        // Every kind that touches the stack or the bundled db excludes every other; a dry run only plans.
        expect(conflicts(a, b), `${a} vs ${b}`).toBe(STACK.includes(a) && STACK.includes(b));
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

  it('lets a dry run start beside anything, and anything beside a dry run', () => {
    expect(conflictingKind('dry-run', STACK)).toBeNull();
    expect(conflictingKind('deploy', ['dry-run', 'dry-run'])).toBeNull();
    expect(conflictingKind('deploy', [])).toBeNull();
  });

  it('gives the stack lease to the kinds that exclude themselves', () => {
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
