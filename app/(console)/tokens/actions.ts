'use server';
import { actionCaller } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { createToken, revokeToken } from '@/server/services/api-tokens';

// Thin: the service checks the admin role, validates and audits (never the secret).

// access: admin
export async function createTokenAction(input: unknown) {
  return createToken(runtime(), await actionCaller(), input);
}

// access: admin
export async function revokeTokenAction(input: unknown) {
  return revokeToken(runtime(), await actionCaller(), input);
}
