'use server';
import { convexAdminKey } from '@/server/services/convex-admin';
import { cancel, previewPlan, startCleanup, startDeploy, startReset, startRollback, startUpdate } from '@/server/services/operations';

// Thin: the services check the role, validate, audit and start the operation.

// access: operator
export async function deployAction(input: unknown) {
  return startDeploy(input);
}

// access: operator
export async function rollbackAction(input: unknown) {
  return startRollback(input);
}

// access: operator
export async function previewAction(input: unknown) {
  return previewPlan(input);
}

// access: operator
export async function updateAction(input: unknown) {
  return startUpdate(input);
}

// access: operator
export async function cleanupAction(input: unknown) {
  return startCleanup(input);
}

// access: operator
export async function resetAction(input: unknown) {
  return startReset(input);
}

// access: operator
export async function cancelAction(id: unknown) {
  return cancel(id);
}

// access: admin
export async function convexAdminKeyAction() {
  return convexAdminKey();
}
