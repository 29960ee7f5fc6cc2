'use server';
import { withActionUser, currentSessionId } from '@/server/auth/session';
import { requestIp } from '@/server/auth/request-ip';
import { changeOwnPassword } from '@/server/services/own-password';
import { beginTotpEnrolment, confirmTotpEnrolment } from '@/server/services/two-factor';
import { signOutEverywhere } from '@/server/services/sessions';

// Thin: the services validate and audit, and check the session unless the action hands them its
// caller. Open to every role: each user enrols their own second factor, changes their own password
// and ends their own sessions.

// access: viewer
export async function beginTotpEnrolmentAction() {
  return beginTotpEnrolment();
}

// access: viewer
export async function confirmTotpEnrolmentAction(input: unknown) {
  return confirmTotpEnrolment(input);
}

// access: viewer
export async function signOutEverywhereAction(input: unknown) {
  return signOutEverywhere(input);
}

// Open during the admins' enrol-first gate: a new password takes nothing away that the gate protects.
// access: viewer
export async function changeOwnPasswordAction(input: unknown) {
  return withActionUser(
    'viewer',
    async (user) => changeOwnPassword({ user, sessionId: await currentSessionId(), sourceIp: await requestIp() }, input),
    { duringTotpEnrolment: true },
  );
}
