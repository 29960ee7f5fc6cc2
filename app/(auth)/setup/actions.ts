'use server';
import { actionCaller } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { createFirstAdmin } from '@/server/services/setup';

// Open by design: the setup token, checked by the service, is the credential here.
// access: setup-token
export async function setupAction(input: unknown) {
  return createFirstAdmin(runtime(), await actionCaller(), input);
}
