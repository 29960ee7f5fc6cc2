import 'server-only';
import type { ActionResult } from '@/lib/action-result';
import type { SessionUser } from '@/lib/dto/user';
import { fieldErrors } from '@/lib/schemas/field-errors';
import { changeOwnPasswordSchema } from '@/lib/schemas/users';
import type { Runtime } from '../runtime';
import { appendAudit } from '../db/audit-log';
import { findUserById } from '../db/users';
import { changeUser } from '../db/user-admin';
import { authorize, type Caller } from '../auth/caller';
import { hashPassword, verifyPassword } from '../auth/password';
import { accountKey, clearFailures, isLocked, recordFailure, throttlePolicies } from '../auth/throttle';

const ACTION = 'user.change_own_password';

/**
 * A user changes their own password. The current password is checked like a sign-in and a wrong
 * one counts toward that account's sign-in lockout, so a stolen session cannot be used to guess
 * the password at leisure; while the account is locked out the form checks nothing. On success
 * every other session of the user ends (the old password may be what leaked); the one the change
 * came from stays, since it just proved who it is.
 */
export function changeOwnPassword(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<undefined>> {
  // Open during the admins' enrol-first gate: a new password takes nothing away that the gate protects.
  return authorize(caller, 'viewer', (user) => change(rt, caller, user, raw), { duringTotpEnrolment: true });
}

async function change(rt: Runtime, caller: Caller, user: SessionUser, raw: unknown): Promise<ActionResult<undefined>> {
  const { db } = rt;
  const audit = (outcome: 'success' | 'failure' | 'denied', message: string) =>
    appendAudit(db, { actor: user, action: ACTION, target: user.email, sourceIp: caller.sourceIp, outcome, message });

  const parsed = changeOwnPasswordSchema.safeParse(raw);
  if (!parsed.success) {
    audit('failure', 'invalid input');
    return { ok: false, code: 'INVALID_INPUT', message: 'Check the highlighted fields.', fieldErrors: fieldErrors(parsed.error) };
  }
  const key = accountKey(user.email);
  if (isLocked(db, key)) {
    audit('denied', 'locked out after repeated failures');
    return {
      ok: false,
      code: 'LOCKED_OUT',
      message: 'Too many wrong passwords for this account. Try again later.',
      fieldErrors: { currentPassword: ['Locked for a while after too many wrong passwords'] },
    };
  }
  const row = findUserById(db, user.id);
  if (!row || !(await verifyPassword(row.passwordHash, parsed.data.currentPassword))) {
    const locked = recordFailure(db, key, throttlePolicies(rt.env.signIn).account);
    audit('failure', locked ? 'wrong current password; now locked out' : 'wrong current password');
    return { ok: false, code: 'WRONG_PASSWORD', message: 'Your current password is not right.', fieldErrors: { currentPassword: ['Incorrect password'] } };
  }
  // The same change an admin's reset makes: the new hash and the end of the other sessions in one transaction.
  const outcome = changeUser(db, user.id, { passwordHash: await hashPassword(parsed.data.newPassword) }, caller.sessionId ?? undefined);
  if (outcome !== 'ok') {
    audit('failure', 'account not found');
    return { ok: false, code: 'NOT_FOUND', message: 'Your account no longer exists.' };
  }
  clearFailures(db, key);
  audit('success', 'password changed; other sessions ended');
  return { ok: true, data: undefined };
}
