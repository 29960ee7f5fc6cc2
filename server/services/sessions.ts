import 'server-only';
import type { ActionResult } from '@/lib/action-result';
import { fieldErrors } from '@/lib/schemas/field-errors';
import { signOutEverywhereSchema } from '@/lib/schemas/two-factor';
import type { Runtime } from '../runtime';
import { appendAudit } from '../db/audit-log';
import { endUserSessions } from '../db/sessions';
import { authorize, type Caller } from '../auth/caller';

/**
 * Ends every session of the signed-in user, this one included: for a device left signed in or a
 * cookie that may have leaked. Open during the admins' enrol-first gate too: it takes nothing away
 * that the user would need.
 */
export function signOutEverywhere(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<{ ended: number }>> {
  return authorize(
    caller,
    'viewer',
    async (actor) => {
      const { sourceIp } = caller;
      const parsed = signOutEverywhereSchema.safeParse(raw);
      if (!parsed.success) {
        appendAudit(rt.db, { actor, action: 'auth.sign_out_everywhere', target: actor.email, sourceIp, outcome: 'failure', message: 'invalid input' });
        return { ok: false, code: 'INVALID_INPUT', message: 'Confirm to sign out everywhere.', fieldErrors: fieldErrors(parsed.error) };
      }
      const ended = endUserSessions(rt.db, actor.id);
      appendAudit(rt.db, { actor, action: 'auth.sign_out_everywhere', target: actor.email, sourceIp, outcome: 'success', message: `${ended} session(s) ended` });
      return { ok: true, data: { ended } };
    },
    { duringTotpEnrolment: true },
  );
}
