'use server';
import { beginTotpEnrolment, confirmTotpEnrolment } from '@/server/services/two-factor';
import { signOutEverywhere } from '@/server/services/sessions';

// Thin: the service checks the session, validates and audits. Open to every role: each user
// enrols their own second factor and ends their own sessions.

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
