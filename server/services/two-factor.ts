import 'server-only';
import type { ActionResult } from '@/lib/action-result';
import type { SessionUser, TwoFactorStatusDto } from '@/lib/dto/user';
import { fieldErrors } from '@/lib/schemas/field-errors';
import { confirmTotpSchema } from '@/lib/schemas/two-factor';
import { getDb } from '../db/database';
import { appendAudit } from '../db/audit-log';
import { findUserById } from '../db/users';
import { activatePendingTotp, setPendingTotp } from '../db/totp';
import { withActionUser } from '../auth/session';
import { requestIp } from '../auth/request-ip';
import { generateTotpSecret, otpauthUri, verifyTotp } from '../auth/totp';

// Enrolment of the signed-in user's own second factor. These are the only actions an admin who
// must enrol may call (duringTotpEnrolment); everything else waits until they have.

export function twoFactorStatus(user: SessionUser): TwoFactorStatusDto {
  const row = findUserById(getDb(), user.id);
  return { enabled: Boolean(row?.totpSecret), required: Boolean(user.mustEnrolTotp) };
}

const audit = async (actor: SessionUser, outcome: 'success' | 'failure', message: string) =>
  appendAudit(getDb(), { actor, action: 'auth.totp_enrol', target: actor.email, sourceIp: await requestIp(), outcome, message });

/** A fresh secret, kept pending until confirmed; its only showing is this answer. */
export function beginTotpEnrolment(): Promise<ActionResult<{ secret: string; uri: string }>> {
  return withActionUser(
    'viewer',
    async (actor) => {
      if (findUserById(getDb(), actor.id)?.totpSecret) {
        return { ok: false, code: 'TOTP_ALREADY_ON', message: 'Two-step sign-in is already on. An admin can reset it if you lost your device.' };
      }
      const secret = generateTotpSecret();
      setPendingTotp(getDb(), actor.id, secret);
      await audit(actor, 'success', 'enrolment started');
      return { ok: true, data: { secret, uri: otpauthUri(secret, actor.email) } };
    },
    { duringTotpEnrolment: true },
  );
}

/** Turns the pending secret on once the user proves their app has it. */
export function confirmTotpEnrolment(raw: unknown): Promise<ActionResult<undefined>> {
  return withActionUser(
    'viewer',
    async (actor) => {
      const parsed = confirmTotpSchema.safeParse(raw);
      if (!parsed.success) return { ok: false, code: 'INVALID_INPUT', message: 'Check the highlighted fields.', fieldErrors: fieldErrors(parsed.error) };
      const pending = findUserById(getDb(), actor.id)?.totpPendingSecret;
      if (!pending) return { ok: false, code: 'NO_ENROLMENT', message: 'Start the set-up again: no pending secret.' };
      const step = verifyTotp(pending, parsed.data.code);
      if (step === null || !activatePendingTotp(getDb(), actor.id, pending, step)) {
        await audit(actor, 'failure', 'wrong confirmation code');
        return { ok: false, code: 'WRONG_CODE', message: 'That code does not match. Check the time on your device and try the next code.', fieldErrors: { code: ['Wrong code'] } };
      }
      await audit(actor, 'success', 'two-step sign-in turned on');
      return { ok: true, data: undefined };
    },
    { duringTotpEnrolment: true },
  );
}
