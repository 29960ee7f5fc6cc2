'use server';
import { actionCaller } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { startBackup, startRestore } from '@/server/services/backups';

// Thin: the services check the role, validate, audit and start the operation.

// access: operator
export async function backupAction(input: unknown) {
  return startBackup(runtime(), await actionCaller(), input);
}

// access: admin
export async function restoreAction(input: unknown) {
  return startRestore(runtime(), await actionCaller(), input);
}
