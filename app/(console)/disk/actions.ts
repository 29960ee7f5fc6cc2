'use server';
import { inEnvironment } from '@/server/auth/session';
import { startPruneImages } from '@/server/services/disk';

// Thin: the service checks the role, validates, compares the reviewed plan and starts the operation.

// access: operator
export async function pruneImagesAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => startPruneImages(rt, caller, input));
}
