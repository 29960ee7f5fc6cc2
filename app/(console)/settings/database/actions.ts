'use server';
import { actionCaller } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import {
  checkDatabaseServer,
  configureExternalDatabase,
  copyBundledDatabase,
  databaseCopyStatus,
  prepareDatabaseServer,
  previewDatabasePrepare,
  testDatabaseConnection,
  useBundledDatabaseAgain,
  verifyExternalDatabase,
} from '@/server/services/external-database';
import { removeBundledDatabaseVolume } from '@/server/services/bundled-database';

// Thin: the service checks the admin role, validates and audits (never a password).

// access: admin
export async function testConnectionAction(input: unknown) {
  return testDatabaseConnection(runtime(), await actionCaller(), input);
}

// access: admin
export async function checkServerAction(input: unknown) {
  return checkDatabaseServer(runtime(), await actionCaller(), input);
}

// access: admin
export async function previewPrepareAction(input: unknown) {
  return previewDatabasePrepare(runtime(), await actionCaller(), input);
}

// access: admin
export async function prepareServerAction(input: unknown) {
  return prepareDatabaseServer(runtime(), await actionCaller(), input);
}

// access: admin
export async function configureAction(input: unknown) {
  return configureExternalDatabase(runtime(), await actionCaller(), input);
}

// access: admin
export async function verifyAction(input: unknown) {
  return verifyExternalDatabase(runtime(), await actionCaller(), input);
}

// access: admin
export async function useBundledAction(input: unknown) {
  return useBundledDatabaseAgain(runtime(), await actionCaller(), input);
}

// access: admin
export async function copyDataAction(input: unknown) {
  return copyBundledDatabase(runtime(), await actionCaller(), input);
}

// access: admin
export async function copyStatusAction(input: unknown) {
  return databaseCopyStatus(runtime(), await actionCaller(), input);
}

// access: admin
export async function removeBundledVolumeAction(input: unknown) {
  return removeBundledDatabaseVolume(runtime(), await actionCaller(), input);
}
