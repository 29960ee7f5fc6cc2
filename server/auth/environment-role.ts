import 'server-only';
import { and, eq } from 'drizzle-orm';
import type { SessionUser } from '@/lib/dto/user';
import type { Db } from '../db/client';
import { apiTokens } from '../db/schema/api-tokens';
import { environmentRoles } from '../db/schema/environments';
import { users } from '../db/schema/users';
import { hasRole, type Role } from './roles';

// Roles per environment (docs/environments.md#roles-per-environment): a grant replaces the user's
// console-wide role in one environment, up or down (operator on staging, viewer on production). An
// admin manages the console itself and stays admin everywhere; users, audit and tokens are global.

/** The role a non-admin account has in `environmentId`: its grant there, else `accountRole`. */
function accountRoleIn(db: Db, userId: string, accountRole: Role, environmentId: string): Role {
  if (accountRole === 'admin') return 'admin';
  const grant = db
    .select({ role: environmentRoles.role })
    .from(environmentRoles)
    .where(and(eq(environmentRoles.userId, userId), eq(environmentRoles.environmentId, environmentId)))
    .get();
  return grant?.role ?? accountRole;
}

/**
 * The user as they act in `environmentId`: their grant there, else their console-wide role. An API
 * token (server/auth/api-tokens.ts) acts as its creator in that environment but never above the
 * token's own role: its `role` is already capped by the creator's console-wide one, so the grant is
 * applied to the creator's account role and capped by the token's role again here (a viewer token
 * stays a viewer where its creator is operator; an operator token is a viewer where its creator is).
 */
export function userInEnvironment(db: Db, user: SessionUser, environmentId: string): SessionUser {
  const token = (user as SessionUser & { token?: { id: string } }).token;
  if (!token) {
    const role = accountRoleIn(db, user.id, user.role, environmentId);
    return role !== user.role ? { ...user, role } : user;
  }
  const row = db
    .select({ tokenRole: apiTokens.role, accountRole: users.role })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.createdBy))
    .where(eq(apiTokens.id, token.id))
    .get();
  // Checked a moment ago by authenticateApiToken; gone since (revoked rows stay, so only a race): act with least.
  if (!row) return { ...user, role: 'viewer' };
  const accountRole = accountRoleIn(db, user.id, row.accountRole, environmentId);
  const role = hasRole({ role: accountRole }, row.tokenRole) ? row.tokenRole : accountRole;
  return role !== user.role ? { ...user, role } : user;
}
