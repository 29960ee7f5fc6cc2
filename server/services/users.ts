import 'server-only';
import { asc } from 'drizzle-orm';
import type { z } from 'zod';
import type { ActionResult } from '@/lib/action-result';
import type { SessionUser, UserDto } from '@/lib/dto/user';
import { fieldErrors } from '@/lib/schemas/field-errors';
import { changeRoleSchema, createUserSchema, resetPasswordSchema, setDisabledSchema } from '@/lib/schemas/users';
import { adminTotpPolicySchema, resetTotpSchema } from '@/lib/schemas/two-factor';
import type { Runtime } from '../runtime';
import { users } from '../db/schema/users';
import { appendAudit } from '../db/audit-log';
import { changeUser, insertUser, type UserChange } from '../db/user-admin';
import { authorize, requireRole, type Caller } from '../auth/caller';
import { hashPassword } from '../auth/password';
import { clearTotp } from '../db/totp';
import { deleteUserGrants } from '../db/environment-roles';
import { writeSetting } from '../db/console-settings';
import { adminTotpRequired, REQUIRE_ADMIN_TOTP } from '../auth/totp-policy';

export function listUsers(rt: Runtime, caller: Caller): UserDto[] {
  requireRole(caller, 'admin');
  return rt.db
    .select()
    .from(users)
    .orderBy(asc(users.createdAt))
    .all()
    .map((u) => ({ id: u.id, email: u.email, name: u.name, role: u.role, disabled: u.disabledAt !== null, totp: u.totpSecret !== null }));
}

/** Whether admins must use two-step sign-in, for the users page. */
export function adminTotpPolicy(rt: Runtime, caller: Caller): { required: boolean } {
  requireRole(caller, 'admin');
  return { required: adminTotpRequired(rt.db) };
}

/** What a mutation's `run` is handed besides its input: the runtime, the actor and the session they act from. */
type Context = { rt: Runtime; actor: SessionUser; caller: Caller };

type Mutation<S extends z.ZodType, T> = {
  action: string;
  schema: S;
  run: (input: z.output<S>, ctx: Context) => Promise<ActionResult<T>>;
  target: (input: z.output<S>) => string;
};

/** Every user mutation: admin only, validated, and audited with its outcome either way. */
function adminMutation<S extends z.ZodType, T>(m: Mutation<S, T>) {
  return (rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<T>> =>
    authorize(caller, 'admin', async (actor) => {
      const parsed = m.schema.safeParse(raw);
      const record = (outcome: 'success' | 'failure', message: string, target: string | null, params: unknown) =>
        appendAudit(rt.db, { actor, action: m.action, target, params: params as Record<string, unknown>, sourceIp: caller.sourceIp, outcome, message });
      if (!parsed.success) {
        record('failure', 'invalid input', null, {});
        return { ok: false, code: 'INVALID_INPUT', message: 'Check the highlighted fields.', fieldErrors: fieldErrors(parsed.error) };
      }
      const result = await m.run(parsed.data, { rt, actor, caller });
      record(result.ok ? 'success' : 'failure', result.ok ? 'done' : result.message, m.target(parsed.data), parsed.data);
      return result;
    });
}

const LAST_ADMIN = { ok: false as const, code: 'LAST_ADMIN', message: 'The console needs at least one enabled admin. Make someone else admin first.' };
const NOT_FOUND = { ok: false as const, code: 'NOT_FOUND', message: 'That user no longer exists.' };

/**
 * The session a change to `id` leaves alone: the actor's own when they change themselves (they
 * just proved who they are); every other session of the user ends.
 */
function sessionToKeep(id: string, { actor, caller }: Context): string | undefined {
  return id === actor.id ? (caller.sessionId ?? undefined) : undefined;
}

/** Applies a change; one that takes something away (password, role, enabled) ends the user's sessions. */
function apply(id: string, change: UserChange, ctx: Context): ActionResult<undefined> {
  const outcome = changeUser(ctx.rt.db, id, change, sessionToKeep(id, ctx));
  if (outcome === 'last-admin') return LAST_ADMIN;
  if (outcome === 'not-found') return NOT_FOUND;
  return { ok: true, data: undefined };
}

export const createUser = adminMutation({
  action: 'users.create',
  schema: createUserSchema,
  target: (i) => i.email,
  run: async ({ password, ...input }, { rt }) => {
    const created = insertUser(rt.db, { ...input, passwordHash: await hashPassword(password) });
    if (created === 'exists') {
      return { ok: false, code: 'EMAIL_TAKEN', message: 'A user with this email exists.', fieldErrors: { email: ['Already in use'] } };
    }
    return { ok: true, data: { id: created.id } };
  },
});

export const changeRole = adminMutation({
  action: 'users.change_role',
  schema: changeRoleSchema,
  target: (i) => i.id,
  run: async ({ id, role }, ctx) => {
    const result = apply(id, { role }, ctx);
    // An admin is admin in every environment: grants would only come back to life on a later demotion.
    if (result.ok && role === 'admin') deleteUserGrants(ctx.rt.db, id);
    return result;
  },
});

export const setDisabled = adminMutation({
  action: 'users.set_disabled',
  schema: setDisabledSchema,
  target: (i) => i.id,
  run: async ({ id, disabled }, ctx) => apply(id, { disabledAt: disabled ? ctx.rt.clock.now() : null }, ctx),
});

export const resetPassword = adminMutation({
  action: 'users.reset_password',
  schema: resetPasswordSchema,
  target: (i) => i.id,
  run: async ({ id, password }, ctx) => apply(id, { passwordHash: await hashPassword(password) }, ctx),
});

/** For a user who lost their authenticator: they sign in with the password alone and may enrol again. */
export const resetTotp = adminMutation({
  action: 'users.reset_totp',
  schema: resetTotpSchema,
  target: (i) => i.id,
  run: async ({ id }, ctx) => {
    if (!clearTotp(ctx.rt.db, id, sessionToKeep(id, ctx))) return NOT_FOUND;
    return { ok: true, data: undefined };
  },
});

export const setAdminTotpRequired = adminMutation({
  action: 'settings.require_admin_totp',
  schema: adminTotpPolicySchema,
  target: () => REQUIRE_ADMIN_TOTP,
  run: async ({ required }, { rt, actor }) => {
    writeSetting(rt.db, REQUIRE_ADMIN_TOTP, required, actor.id);
    return { ok: true, data: undefined };
  },
});
