import 'server-only';
import crypto from 'node:crypto';
import { and, eq, gt, lte, ne } from 'drizzle-orm';
import type { Db } from './client';
import { sessions } from './schema/sessions';
import { users, type UserRow } from './schema/users';

/**
 * Records a sign-in and returns its id for the session cookie. Rows of sessions that have expired
 * are removed here, so the table stays as small as the number of live sign-ins without a timer.
 */
export function createSession(db: Db, userId: string, maxAgeMs: number, now = new Date()): string {
  const id = crypto.randomBytes(32).toString('base64url');
  db.transaction((tx) => {
    tx.delete(sessions).where(lte(sessions.expiresAt, now)).run();
    tx.insert(sessions).values({ id, userId, createdAt: now, expiresAt: new Date(now.getTime() + maxAgeMs) }).run();
  });
  return id;
}

/** The user of a live session (one primary-key lookup), or undefined when it ended, expired or is another user's. */
export function findSessionUser(db: Db, sessionId: string, userId: string, now = new Date()): UserRow | undefined {
  return db
    .select({ user: users })
    .from(sessions)
    .innerJoin(users, eq(sessions.userId, users.id))
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), gt(sessions.expiresAt, now)))
    .get()?.user;
}

/** Ends one session (sign-out). */
export function endSession(db: Db, sessionId: string): void {
  db.delete(sessions).where(eq(sessions.id, sessionId)).run();
}

/** Ends every session of a user, except `keep` (the caller's own, when they changed their own password). Returns how many ended. */
export function endUserSessions(db: Pick<Db, 'delete'>, userId: string, keep?: string): number {
  const where = keep ? and(eq(sessions.userId, userId), ne(sessions.id, keep)) : eq(sessions.userId, userId);
  return db.delete(sessions).where(where).run().changes;
}
