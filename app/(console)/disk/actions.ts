'use server';
import { actionCaller } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { startPruneImages } from '@/server/services/disk';

// Thin: the service checks the role, validates, compares the reviewed plan and starts the operation.

// access: operator
export async function pruneImagesAction(input: unknown) {
  return startPruneImages(runtime(), await actionCaller(), input);
}
