'use server';
import { beginTotpEnrolment, confirmTotpEnrolment } from '@/server/services/two-factor';

// Thin: the service checks the session, validates and audits. Open to every role: each user
// enrols their own second factor.

// access: viewer
export async function beginTotpEnrolmentAction() {
  return beginTotpEnrolment();
}

// access: viewer
export async function confirmTotpEnrolmentAction(input: unknown) {
  return confirmTotpEnrolment(input);
}
