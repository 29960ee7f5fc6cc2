import 'server-only';
import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { Db } from './client';
import { users } from './schema/users';
import { endUserSessions } from './sessions';

// The TOTP columns of a user. Accepting a step is one conditional UPDATE, so two sign-ins racing
// with the same code cannot both pass: the second finds the step already taken.

export function setPendingTotp(db: Db, userId: string, secret: string): void {
  db.update(users).set({ totpPendingSecret: secret, updatedAt: new Date() }).where(eq(users.id, userId)).run();
}

/** Turns the pending secret into the active one, consuming the confirming code's step. */
export function activatePendingTotp(db: Db, userId: string, pendingSecret: string, step: number): boolean {
  const res = db
    .update(users)
    .set({ totpSecret: pendingSecret, totpPendingSecret: null, totpLastStep: step, updatedAt: new Date() })
    .where(and(eq(users.id, userId), eq(users.totpPendingSecret, pendingSecret)))
    .run();
  return res.changes === 1;
}

/** Records `step` as used; false when it (or a later one) was used already: a replay. */
export function acceptTotpStep(db: Db, userId: string, step: number): boolean {
  const res = db
    .update(users)
    .set({ totpLastStep: step })
    .where(and(eq(users.id, userId), or(isNull(users.totpLastStep), lt(users.totpLastStep, step))))
    .run();
  return res.changes === 1;
}

/**
 * Turns the second factor off (admin reset), pending enrolment included, and in the same
 * transaction ends the user's sessions but `keepSession`: whoever signed in with the lost device
 * must sign in again, with the password alone (as changeUser does for a password reset).
 */
export function clearTotp(db: Db, userId: string, keepSession?: string): boolean {
  return db.transaction((tx) => {
    const res = tx
      .update(users)
      .set({ totpSecret: null, totpPendingSecret: null, totpLastStep: null, updatedAt: new Date() })
      .where(eq(users.id, userId))
      .run();
    if (res.changes !== 1) return false;
    endUserSessions(tx, userId, keepSession);
    return true;
  });
}
