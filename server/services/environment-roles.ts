import 'server-only';
import { asc, eq } from 'drizzle-orm';
import type { ActionResult } from '@/lib/action-result';
import type { EnvironmentRoleDto, UserEnvironmentRolesDto } from '@/lib/dto/environment-roles';
import { CodedError } from '@/lib/errors';
import { LOCAL_ENVIRONMENT_ID } from '@/lib/schemas/environments';
import { setEnvironmentRoleSchema, userIdSchema, type GrantRole } from '@/lib/schemas/environment-roles';
import { authorize, requireRole, type Caller } from '../auth/caller';
import type { Role } from '../auth/roles';
import { appendAudit } from '../db/audit-log';
import { allGrants, grantsOfUser, writeGrant, type GrantRow } from '../db/environment-roles';
import { users, type UserRow } from '../db/schema/users';
import { environmentRow, listEnvironmentRows } from '../environments/store';
import type { Runtime } from '../runtime';
import { invalid } from './operation-start';

// Roles per environment (docs/environments.md#roles-per-environment): an admin grants a viewer or
// operator another role in one environment (operator on staging, viewer on production). The edge
// applies it on every request (server/auth/environment-role.ts), so a change takes effect at the
// next click without ending anyone's session. Admins are admin everywhere and get no grants.

type Env = { id: string; name: string };

/** Every environment, the local one first, as the grants name them. */
function environments(rt: Runtime): Env[] {
  return [{ id: LOCAL_ENVIRONMENT_ID, name: 'Local' }, ...listEnvironmentRows(rt.db).map((r) => ({ id: r.id, name: r.name }))];
}

function rolesOf(user: Pick<UserRow, 'id' | 'role'>, envs: Env[], grants: GrantRow[]): UserEnvironmentRolesDto {
  const byEnv = new Map(grants.filter((g) => g.userId === user.id).map((g) => [g.environmentId, g.role]));
  const rows: EnvironmentRoleDto[] = envs.map((e) => {
    // An admin's stale grant (from before a promotion) never counts, so it is not shown either.
    const grant = user.role === 'admin' ? null : (byEnv.get(e.id) ?? null);
    return { environmentId: e.id, environmentName: e.name, grant, effective: (grant ?? user.role) as Role };
  });
  return { userId: user.id, role: user.role, environments: rows };
}

const userRow = (rt: Runtime, id: string) => rt.db.select().from(users).where(eq(users.id, id)).get();

/** One user's role in every environment (admin). Unknown user: NOT_FOUND. */
export function userEnvironmentRoles(rt: Runtime, caller: Caller, rawUserId: unknown): UserEnvironmentRolesDto {
  requireRole(caller, 'admin');
  const id = userIdSchema.safeParse(rawUserId);
  const user = id.success ? userRow(rt, id.data) : undefined;
  if (!user) throw new CodedError('NOT_FOUND', 'That user does not exist.');
  return rolesOf(user, environments(rt), grantsOfUser(rt.db, user.id));
}

/** Every user's role in every environment (admin), for the users page. */
export function allEnvironmentRoles(rt: Runtime, caller: Caller): UserEnvironmentRolesDto[] {
  requireRole(caller, 'admin');
  const envs = environments(rt);
  const grants = allGrants(rt.db);
  return rt.db
    .select({ id: users.id, role: users.role })
    .from(users)
    .orderBy(asc(users.createdAt))
    .all()
    .map((u) => rolesOf(u, envs, grants));
}

const refused = (code: string, message: string): ActionResult<never> => ({ ok: false, code, message });

/**
 * Sets, replaces or (role null) removes a user's grant in one environment (admin), audited as
 * `user.environment_role` either way. Refused for admins (ROLE_ADMIN_GLOBAL), disabled
 * (USER_DISABLED) or unknown (NOT_FOUND) users and unknown environments (ENVIRONMENT_NOT_FOUND).
 * Answers the user's roles afterwards.
 */
export function setEnvironmentRole(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<UserEnvironmentRolesDto>> {
  return authorize(caller, 'admin', async (actor) => {
    const parsed = setEnvironmentRoleSchema.safeParse(raw);
    const audit = (outcome: 'success' | 'failure', message: string, target: string | null, params: Record<string, unknown>) =>
      appendAudit(rt.db, { actor, action: 'user.environment_role', target, params, sourceIp: caller.sourceIp, outcome, message });
    if (!parsed.success) {
      audit('failure', 'invalid input', null, {});
      return invalid(parsed.error);
    }
    const { userId, environmentId, role } = parsed.data;
    const fail = (code: string, message: string) => (audit('failure', message, userId, { environmentId, role }), refused(code, message));
    const user = userRow(rt, userId);
    if (!user) return fail('NOT_FOUND', 'That user does not exist.');
    if (user.role === 'admin') return fail('ROLE_ADMIN_GLOBAL', `${user.email} is an admin, and admins are admin in every environment. Change their console-wide role first.`);
    if (user.disabledAt) return fail('USER_DISABLED', `${user.email} is disabled. Enable the account first.`);
    if (environmentId !== LOCAL_ENVIRONMENT_ID && !environmentRow(rt.db, environmentId)) return fail('ENVIRONMENT_NOT_FOUND', 'There is no such environment.');
    const previous: GrantRole | null = writeGrant(rt.db, userId, environmentId, role, actor.id, rt.clock.now());
    audit('success', 'done', userId, { email: user.email, environmentId, role, previous });
    return { ok: true, data: rolesOf(user, environments(rt), grantsOfUser(rt.db, userId)) };
  });
}
