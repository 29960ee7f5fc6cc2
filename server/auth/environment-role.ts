import 'server-only';
import { and, eq } from 'drizzle-orm';
import type { SessionUser } from '@/lib/dto/user';
import type { Db } from '../db/client';
import { environmentRoles } from '../db/schema/environments';

// Roles per environment (docs/environments.md#roles): a grant replaces the user's console-wide
// role in one environment, up or down (operator on staging, viewer on production). An admin
// manages the console itself and stays admin everywhere; users, audit and tokens are global.

/** The user as they act in `environmentId`: their grant there, else their console-wide role. */
export function userInEnvironment(db: Db, user: SessionUser, environmentId: string): SessionUser {
  if (user.role === 'admin') return user;
  const grant = db
    .select({ role: environmentRoles.role })
    .from(environmentRoles)
    .where(and(eq(environmentRoles.userId, user.id), eq(environmentRoles.environmentId, environmentId)))
    .get();
  return grant && grant.role !== user.role ? { ...user, role: grant.role } : user;
}
