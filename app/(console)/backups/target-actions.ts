'use server';
import { actionCaller } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { checkBackupRepository, saveBackupTarget, testBackupTarget } from '@/server/services/backup-target';

// Thin: the service checks the role, validates, audits.

// access: admin
export async function saveTargetAction(input: unknown) {
  return saveBackupTarget(runtime(), await actionCaller(), input);
}

// access: admin
export async function testTargetAction(input: unknown) {
  return testBackupTarget(runtime(), await actionCaller(), input);
}

// access: admin
export async function checkRepositoryAction(input: unknown) {
  return checkBackupRepository(runtime(), await actionCaller(), input);
}
