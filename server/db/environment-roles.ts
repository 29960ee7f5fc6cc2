import 'server-only';
import { and, eq } from 'drizzle-orm';
import type { Db } from './client';
import { environmentRoles } from './schema/environments';
import type { GrantRole } from '@/lib/schemas/environment-roles';

export type GrantRow = typeof environmentRoles.$inferSelect;

export const grantsOfUser = (db: Db, userId: string): GrantRow[] => db.select().from(environmentRoles).where(eq(environmentRoles.userId, userId)).all();

export const allGrants = (db: Db): GrantRow[] => db.select().from(environmentRoles).all();

/** Sets (insert or replace) or, with null, removes one grant; answers the grant it replaced. */
export function writeGrant(db: Db, userId: string, environmentId: string, role: GrantRole | null, by: string, now: Date): GrantRole | null {
  return db.transaction((tx) => {
    const where = and(eq(environmentRoles.userId, userId), eq(environmentRoles.environmentId, environmentId));
    const previous = tx.select({ role: environmentRoles.role }).from(environmentRoles).where(where).get()?.role ?? null;
    if (role === null) tx.delete(environmentRoles).where(where).run();
    else {
      tx.insert(environmentRoles)
        .values({ userId, environmentId, role, grantedAt: now, grantedBy: by })
        .onConflictDoUpdate({ target: [environmentRoles.userId, environmentRoles.environmentId], set: { role, grantedAt: now, grantedBy: by } })
        .run();
    }
    return previous;
  });
}

/** An environment that goes takes its grants with it, so a new one of the same id starts with none. */
export const deleteEnvironmentGrants = (db: Db, environmentId: string): void => void db.delete(environmentRoles).where(eq(environmentRoles.environmentId, environmentId)).run();

/** A user who becomes admin is admin everywhere: their grants would only come back to life on a later demotion. */
export const deleteUserGrants = (db: Db, userId: string): void => void db.delete(environmentRoles).where(eq(environmentRoles.userId, userId)).run();
