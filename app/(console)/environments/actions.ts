'use server';
import { actionCaller, closeEnvironmentRuntime, startEnvironmentRuntime } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { addEnvironment, removeEnvironment, scanEnvironment } from '@/server/services/environments';

// Thin: the service checks the role, validates, audits.

// access: admin
export async function scanEnvironmentAction(input: unknown) {
  return scanEnvironment(runtime(), await actionCaller(), input);
}

// access: admin
export async function addEnvironmentAction(input: unknown) {
  const result = await addEnvironment(runtime(), await actionCaller(), input);
  if (result.ok) startEnvironmentRuntime(result.data.id);
  return result;
}

// access: admin
export async function removeEnvironmentAction(input: unknown) {
  const result = await removeEnvironment(runtime(), await actionCaller(), input);
  // A removed environment's kept runtime would otherwise go on watching and backing up its host.
  if (result.ok) closeEnvironmentRuntime(result.data.id);
  return result;
}
