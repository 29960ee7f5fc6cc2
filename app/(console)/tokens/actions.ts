'use server';
import { createToken, revokeToken } from '@/server/services/api-tokens';

// Thin: the service checks the admin role, validates and audits (never the secret).

// access: admin
export async function createTokenAction(input: unknown) {
  return createToken(input);
}

// access: admin
export async function revokeTokenAction(input: unknown) {
  return revokeToken(input);
}
