'use server';
import { actionCaller } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { changeOwnPassword } from '@/server/services/own-password';
import { beginTotpEnrolment, confirmTotpEnrolment } from '@/server/services/two-factor';
import { signOutEverywhere } from '@/server/services/sessions';

// Thin: the services check the caller, validate and audit. Open to every role: each user enrols
// their own second factor, changes their own password and ends their own sessions.

// access: viewer
export async function beginTotpEnrolmentAction() {
  return beginTotpEnrolment(runtime(), await actionCaller());
}

// access: viewer
export async function confirmTotpEnrolmentAction(input: unknown) {
  return confirmTotpEnrolment(runtime(), await actionCaller(), input);
}

// access: viewer
export async function signOutEverywhereAction(input: unknown) {
  return signOutEverywhere(runtime(), await actionCaller(), input);
}

// Open during the admins' enrol-first gate: a new password takes nothing away that the gate protects.
// access: viewer
export async function changeOwnPasswordAction(input: unknown) {
  return changeOwnPassword(runtime(), await actionCaller(), input);
}
