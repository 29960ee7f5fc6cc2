import { CodedError } from '@/lib/errors';
import type { ActionResult } from '@/lib/action-result';
import type { SessionUser } from '@/lib/dto/user';
import { hasRole, type Role } from './roles';

// Who is asking, read once at the edge (server/auth/session.ts: actionCaller, withApiUser) from
// the request's cookie or token and headers, and handed to the services as a plain value. The
// services decide what the caller may do with it, so they run the same under a unit test.

export type Caller = {
  /** The signed-in, enabled user; null when the request carries no live session or token. */
  user: SessionUser | null;
  /** The request's source address, for the audit trail and per-address throttles. */
  sourceIp: string;
  /** The caller's own console session (never for an API token), so "sign out everywhere else" can keep it. */
  sessionId: string | null;
};

/** Lets the enrolment page and its actions through the enrol-first gate; nothing else may. */
export type GateOptions = { duringTotpEnrolment?: boolean };

/** Why a caller may not act, or null when they may. */
export function refusal(caller: Caller, role: Role, opts: GateOptions = {}): { code: string; message: string } | null {
  const { user } = caller;
  if (!user) return { code: 'UNAUTHENTICATED', message: 'Your session has ended. Sign in again.' };
  if (user.mustEnrolTotp && !opts.duringTotpEnrolment) {
    return { code: 'TOTP_ENROLMENT_REQUIRED', message: 'Set up two-step sign-in first: admins must use it here.' };
  }
  if (!hasRole(user, role)) return { code: 'FORBIDDEN', message: 'Your role does not allow this.' };
  return null;
}

/** For actions: a typed refusal instead of running `action` when the caller may not. */
export async function authorize<T>(
  caller: Caller,
  role: Role,
  action: (user: SessionUser) => Promise<ActionResult<T>>,
  opts: GateOptions = {},
): Promise<ActionResult<T>> {
  const refused = refusal(caller, role, opts);
  return refused ? { ok: false, ...refused } : action(caller.user!);
}

/** For reads: the user when they may, else a coded error (the page's gate has already redirected). */
export function requireRole(caller: Caller, role: Role): SessionUser {
  const refused = refusal(caller, role);
  if (refused) throw new CodedError(refused.code, refused.message);
  return caller.user!;
}
