import 'server-only';
import type { ActionResult } from '@/lib/action-result';
import { fieldErrors } from '@/lib/schemas/field-errors';
import { signOutEverywhereSchema } from '@/lib/schemas/two-factor';
import { getDb } from '../db/database';
import { appendAudit } from '../db/audit-log';
import { endUserSessions } from '../db/sessions';
import { withActionUser } from '../auth/session';
import { requestIp } from '../auth/request-ip';

/**
 * Ends every session of the signed-in user, this one included: for a device left signed in or a
 * cookie that may have leaked. Open during the admins' enrol-first gate too: it takes nothing away
 * that the user would need.
 */
export function signOutEverywhere(raw: unknown): Promise<ActionResult<{ ended: number }>> {
  return withActionUser(
    'viewer',
    async (actor) => {
      const sourceIp = await requestIp();
      const parsed = signOutEverywhereSchema.safeParse(raw);
      if (!parsed.success) {
        appendAudit(getDb(), { actor, action: 'auth.sign_out_everywhere', target: actor.email, sourceIp, outcome: 'failure', message: 'invalid input' });
        return { ok: false, code: 'INVALID_INPUT', message: 'Confirm to sign out everywhere.', fieldErrors: fieldErrors(parsed.error) };
      }
      const ended = endUserSessions(getDb(), actor.id);
      appendAudit(getDb(), { actor, action: 'auth.sign_out_everywhere', target: actor.email, sourceIp, outcome: 'success', message: `${ended} session(s) ended` });
      return { ok: true, data: { ended } };
    },
    { duringTotpEnrolment: true },
  );
}
