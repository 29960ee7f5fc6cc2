'use server';
import { inEnvironment } from '@/server/auth/session';
import { startBackup, startRestore } from '@/server/services/backups';
import { startCheck, startDrill } from '@/server/services/backup-drills';
import { setSchedule } from '@/server/services/backup-schedule';
import { projectFilesDiff, restoreProjectFiles } from '@/server/services/backup-project-files';

// Thin: the services check the role, validate, audit and start the operation.

// access: operator
export async function backupAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => startBackup(rt, caller, input));
}

// access: admin
export async function restoreAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => startRestore(rt, caller, input));
}

// access: operator
export async function drillAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => startDrill(rt, caller, input));
}

// access: operator
export async function checkAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => startCheck(rt, caller, input));
}

// access: admin
export async function scheduleAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => setSchedule(rt, caller, input));
}

// access: operator
export async function projectFilesDiffAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => projectFilesDiff(rt, caller, input));
}

// access: admin
export async function restoreProjectFilesAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => restoreProjectFiles(rt, caller, input));
}
