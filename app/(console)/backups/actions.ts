'use server';
import { actionCaller } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { startBackup, startRestore } from '@/server/services/backups';
import { startCheck, startDrill } from '@/server/services/backup-drills';
import { setSchedule } from '@/server/services/backup-schedule';
import { projectFilesDiff, restoreProjectFiles } from '@/server/services/backup-project-files';

// Thin: the services check the role, validate, audit and start the operation.

// access: operator
export async function backupAction(input: unknown) {
  return startBackup(runtime(), await actionCaller(), input);
}

// access: admin
export async function restoreAction(input: unknown) {
  return startRestore(runtime(), await actionCaller(), input);
}

// access: operator
export async function drillAction(input: unknown) {
  return startDrill(runtime(), await actionCaller(), input);
}

// access: operator
export async function checkAction(input: unknown) {
  return startCheck(runtime(), await actionCaller(), input);
}

// access: admin
export async function scheduleAction(input: unknown) {
  return setSchedule(runtime(), await actionCaller(), input);
}

// access: operator
export async function projectFilesDiffAction(input: unknown) {
  return projectFilesDiff(runtime(), await actionCaller(), input);
}

// access: admin
export async function restoreProjectFilesAction(input: unknown) {
  return restoreProjectFiles(runtime(), await actionCaller(), input);
}
