'use server';
import { actionCaller } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { convexAdminKey } from '@/server/services/convex-admin';
import { setPrePull } from '@/server/services/pre-pull';
import { cancel, previewPlan, startCleanup, startDeploy, startReset, startRollback, startUpdate } from '@/server/services/operations';

// Thin: the services check the role, validate, audit and start the operation.

// access: operator
export async function deployAction(input: unknown) {
  return startDeploy(runtime(), await actionCaller(), input);
}

// access: operator
export async function rollbackAction(input: unknown) {
  return startRollback(runtime(), await actionCaller(), input);
}

// access: operator
export async function previewAction(input: unknown) {
  return previewPlan(runtime(), await actionCaller(), input);
}

// access: operator
export async function updateAction(input: unknown) {
  return startUpdate(runtime(), await actionCaller(), input);
}

// access: operator
export async function cleanupAction(input: unknown) {
  return startCleanup(runtime(), await actionCaller(), input);
}

// access: operator
export async function resetAction(input: unknown) {
  return startReset(runtime(), await actionCaller(), input);
}

// access: operator
export async function cancelAction(id: unknown) {
  return cancel(runtime(), await actionCaller(), id);
}

// access: admin
export async function convexAdminKeyAction() {
  return convexAdminKey(runtime(), await actionCaller());
}

// access: admin
export async function setPrePullAction(input: unknown) {
  return setPrePull(runtime(), await actionCaller(), input);
}
