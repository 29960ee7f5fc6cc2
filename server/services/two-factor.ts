import 'server-only';
import type { ActionResult } from '@/lib/action-result';
import type { SessionUser, TwoFactorStatusDto } from '@/lib/dto/user';
import { fieldErrors } from '@/lib/schemas/field-errors';
import { confirmTotpSchema } from '@/lib/schemas/two-factor';
import type { Runtime } from '../runtime';
import { appendAudit } from '../db/audit-log';
import { findUserById } from '../db/users';
import { activatePendingTotp, setPendingTotp } from '../db/totp';
import { authorize, type Caller } from '../auth/caller';
import { generateTotpSecret, otpauthUri, verifyTotp } from '../auth/totp';

// Enrolment of the signed-in user's own second factor. These are the only actions an admin who
// must enrol may call (duringTotpEnrolment); everything else waits until they have.

/** For the account page, whose gate has let `user` through already. */
export function twoFactorStatus(rt: Runtime, user: SessionUser): TwoFactorStatusDto {
  const row = findUserById(rt.db, user.id);
  return { enabled: Boolean(row?.totpSecret), required: Boolean(user.mustEnrolTotp) };
}

const audit = (rt: Runtime, caller: Caller, actor: SessionUser, outcome: 'success' | 'failure', message: string) =>
  appendAudit(rt.db, { actor, action: 'auth.totp_enrol', target: actor.email, sourceIp: caller.sourceIp, outcome, message });

/** A fresh secret, kept pending until confirmed; its only showing is this answer. */
export function beginTotpEnrolment(rt: Runtime, caller: Caller): Promise<ActionResult<{ secret: string; uri: string }>> {
  return authorize(
    caller,
    'viewer',
    async (actor) => {
      if (findUserById(rt.db, actor.id)?.totpSecret) {
        return { ok: false, code: 'TOTP_ALREADY_ON', message: 'Two-step sign-in is already on. An admin can reset it if you lost your device.' };
      }
      const secret = generateTotpSecret();
      setPendingTotp(rt.db, actor.id, secret);
      audit(rt, caller, actor, 'success', 'enrolment started');
      return { ok: true, data: { secret, uri: otpauthUri(secret, actor.email) } };
    },
    { duringTotpEnrolment: true },
  );
}

/** Turns the pending secret on once the user proves their app has it. */
export function confirmTotpEnrolment(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<undefined>> {
  return authorize(
    caller,
    'viewer',
    async (actor) => {
      const parsed = confirmTotpSchema.safeParse(raw);
      if (!parsed.success) return { ok: false, code: 'INVALID_INPUT', message: 'Check the highlighted fields.', fieldErrors: fieldErrors(parsed.error) };
      const pending = findUserById(rt.db, actor.id)?.totpPendingSecret;
      if (!pending) return { ok: false, code: 'NO_ENROLMENT', message: 'Start the set-up again: no pending secret.' };
      const step = verifyTotp(pending, parsed.data.code);
      if (step === null || !activatePendingTotp(rt.db, actor.id, pending, step)) {
        audit(rt, caller, actor, 'failure', 'wrong confirmation code');
        return { ok: false, code: 'WRONG_CODE', message: 'That code does not match. Check the time on your device and try the next code.', fieldErrors: { code: ['Wrong code'] } };
      }
      audit(rt, caller, actor, 'success', 'two-step sign-in turned on');
      return { ok: true, data: undefined };
    },
    { duringTotpEnrolment: true },
  );
}
