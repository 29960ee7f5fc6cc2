import 'server-only';
import { asc } from 'drizzle-orm';
import type { z } from 'zod';
import type { ActionResult } from '@/lib/action-result';
import type { SessionUser, UserDto } from '@/lib/dto/user';
import { fieldErrors } from '@/lib/schemas/field-errors';
import { changeRoleSchema, createUserSchema, resetPasswordSchema, setDisabledSchema } from '@/lib/schemas/users';
import { adminTotpPolicySchema, resetTotpSchema } from '@/lib/schemas/two-factor';
import { getDb } from '../db/database';
import { users } from '../db/schema/users';
import { appendAudit } from '../db/audit-log';
import { changeUser, insertUser, type UserChange } from '../db/user-admin';
import { currentSessionId, requirePageUser, withActionUser } from '../auth/session';
import { hashPassword } from '../auth/password';
import { requestIp } from '../auth/request-ip';
import { clearTotp } from '../db/totp';
import { writeSetting } from '../db/console-settings';
import { adminTotpRequired, REQUIRE_ADMIN_TOTP } from '../auth/totp-policy';

export async function listUsers(): Promise<UserDto[]> {
  await requirePageUser('admin');
  return getDb()
    .select()
    .from(users)
    .orderBy(asc(users.createdAt))
    .all()
    .map((u) => ({ id: u.id, email: u.email, name: u.name, role: u.role, disabled: u.disabledAt !== null, totp: u.totpSecret !== null }));
}

/** Whether admins must use two-step sign-in, for the users page. */
export async function adminTotpPolicy(): Promise<{ required: boolean }> {
  await requirePageUser('admin');
  return { required: adminTotpRequired(getDb()) };
}

type Mutation<S extends z.ZodType, T> = {
  action: string;
  schema: S;
  run: (input: z.output<S>, actor: SessionUser) => Promise<ActionResult<T>>;
  target: (input: z.output<S>) => string;
};

/** Every user mutation: admin only, validated, and audited with its outcome either way. */
function adminMutation<S extends z.ZodType, T>(m: Mutation<S, T>) {
  return (raw: unknown): Promise<ActionResult<T>> =>
    withActionUser('admin', async (actor) => {
      const parsed = m.schema.safeParse(raw);
      const sourceIp = await requestIp();
      const record = (outcome: 'success' | 'failure', message: string, target: string | null, params: unknown) =>
        appendAudit(getDb(), { actor, action: m.action, target, params: params as Record<string, unknown>, sourceIp, outcome, message });
      if (!parsed.success) {
        record('failure', 'invalid input', null, {});
        return { ok: false, code: 'INVALID_INPUT', message: 'Check the highlighted fields.', fieldErrors: fieldErrors(parsed.error) };
      }
      const result = await m.run(parsed.data, actor);
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
async function sessionToKeep(id: string, actor: SessionUser): Promise<string | undefined> {
  return id === actor.id ? ((await currentSessionId()) ?? undefined) : undefined;
}

/** Applies a change; one that takes something away (password, role, enabled) ends the user's sessions. */
async function apply(id: string, change: UserChange, actor: SessionUser): Promise<ActionResult<undefined>> {
  const outcome = changeUser(getDb(), id, change, await sessionToKeep(id, actor));
  if (outcome === 'last-admin') return LAST_ADMIN;
  if (outcome === 'not-found') return NOT_FOUND;
  return { ok: true, data: undefined };
}

export const createUser = adminMutation({
  action: 'users.create',
  schema: createUserSchema,
  target: (i) => i.email,
  run: async ({ password, ...input }) => {
    const created = insertUser(getDb(), { ...input, passwordHash: await hashPassword(password) });
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
  run: async ({ id, role }, actor) => apply(id, { role }, actor),
});

export const setDisabled = adminMutation({
  action: 'users.set_disabled',
  schema: setDisabledSchema,
  target: (i) => i.id,
  run: async ({ id, disabled }, actor) => apply(id, { disabledAt: disabled ? new Date() : null }, actor),
});

export const resetPassword = adminMutation({
  action: 'users.reset_password',
  schema: resetPasswordSchema,
  target: (i) => i.id,
  run: async ({ id, password }, actor) => apply(id, { passwordHash: await hashPassword(password) }, actor),
});

/** For a user who lost their authenticator: they sign in with the password alone and may enrol again. */
export const resetTotp = adminMutation({
  action: 'users.reset_totp',
  schema: resetTotpSchema,
  target: (i) => i.id,
  run: async ({ id }, actor) => {
    if (!clearTotp(getDb(), id, await sessionToKeep(id, actor))) return NOT_FOUND;
    return { ok: true, data: undefined };
  },
});

export const setAdminTotpRequired = adminMutation({
  action: 'settings.require_admin_totp',
  schema: adminTotpPolicySchema,
  target: () => REQUIRE_ADMIN_TOTP,
  run: async ({ required }, actor) => {
    writeSetting(getDb(), REQUIRE_ADMIN_TOTP, required, actor.id);
    return { ok: true, data: undefined };
  },
});
