import 'server-only';
import crypto from 'node:crypto';
import { and, count, eq, isNull, ne } from 'drizzle-orm';
import type { Role } from '@/lib/roles';
import type { Db } from './client';
import { users, type UserRow } from './schema/users';

export type UserChange = { role?: Role; disabledAt?: Date | null; passwordHash?: string };

/**
 * Applies a change unless it would leave no enabled admin. The check and the write share one
 * transaction, so two admins demoting each other at once cannot both succeed.
 */
export function changeUser(db: Db, id: string, change: UserChange): 'ok' | 'not-found' | 'last-admin' {
  return db.transaction(
    (tx) => {
      const row = tx.select().from(users).where(eq(users.id, id)).get();
      if (!row) return 'not-found';
      const losesAdmin = row.role === 'admin' && !row.disabledAt && ((change.role && change.role !== 'admin') || change.disabledAt);
      if (losesAdmin) {
        const others = tx
          .select({ n: count() })
          .from(users)
          .where(and(eq(users.role, 'admin'), isNull(users.disabledAt), ne(users.id, id)))
          .get();
        if ((others?.n ?? 0) === 0) return 'last-admin';
      }
      tx.update(users).set({ ...change, updatedAt: new Date() }).where(eq(users.id, id)).run();
      return 'ok';
    },
    { behavior: 'immediate' },
  );
}

export function insertUser(db: Db, input: { email: string; name: string; role: Role; passwordHash: string }): UserRow | 'exists' {
  const now = new Date();
  const row = { id: crypto.randomUUID(), ...input, disabledAt: null, totpSecret: null, totpPendingSecret: null, totpLastStep: null, createdAt: now, updatedAt: now };
  try {
    db.insert(users).values(row).run();
    return row;
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return 'exists';
    throw err;
  }
}
