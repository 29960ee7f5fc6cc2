'use server';
import { inEnvironment } from '@/server/auth/session';
import { checkBackupRepository, saveBackupTarget, testBackupTarget } from '@/server/services/backup-target';

// Thin: the service checks the role, validates, audits.

// access: admin
export async function saveTargetAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => saveBackupTarget(rt, caller, input));
}

// access: admin
export async function testTargetAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => testBackupTarget(rt, caller, input));
}

// access: admin
export async function checkRepositoryAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => checkBackupRepository(rt, caller, input));
}
