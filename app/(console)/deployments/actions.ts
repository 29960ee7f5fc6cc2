'use server';
import { chosenRuntime, inEnvironment } from '@/server/auth/session';
import { convexAdminKey } from '@/server/services/convex-admin';
import { setPrePull } from '@/server/services/pre-pull';
import { previewPromotion, promotionSources, startPromotion } from '@/server/services/promotion';
import { cancel, previewPlan, startCleanup, startDeploy, startReset, startRollback, startUpdate } from '@/server/services/operations';

// Thin: the services check the role, validate, audit and start the operation. Each action's first
// argument is the environment, bound by the page that hands the action to its form.

// access: operator
export async function deployAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => startDeploy(rt, caller, input));
}

// access: operator
export async function rollbackAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => startRollback(rt, caller, input));
}

// access: operator
export async function previewAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => previewPlan(rt, caller, input));
}

// access: operator
export async function updateAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => startUpdate(rt, caller, input));
}

// access: operator
export async function cleanupAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => startCleanup(rt, caller, input));
}

// access: operator
export async function resetAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => startReset(rt, caller, input));
}

// access: operator
export async function cancelAction(env: unknown, id: unknown) {
  return inEnvironment(env, (rt, caller) => cancel(rt, caller, id));
}

// access: admin
export async function convexAdminKeyAction(env: unknown) {
  return inEnvironment(env, (rt, caller) => convexAdminKey(rt, caller));
}

// access: admin
export async function setPrePullAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => setPrePull(rt, caller, input));
}

// access: operator
export async function promotionPreviewAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => previewPromotion(rt, caller, input, chosenRuntime));
}

// access: operator
export async function promoteAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => startPromotion(rt, caller, input, chosenRuntime));
}

// access: operator
export async function promotionSourcesAction(env: unknown) {
  return inEnvironment(env, (rt, caller) => promotionSources(rt, caller, chosenRuntime));
}
