'use server';
import { inEnvironment } from '@/server/auth/session';
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
export async function testConnectionAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => testDatabaseConnection(rt, caller, input));
}

// access: admin
export async function checkServerAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => checkDatabaseServer(rt, caller, input));
}

// access: admin
export async function previewPrepareAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => previewDatabasePrepare(rt, caller, input));
}

// access: admin
export async function prepareServerAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => prepareDatabaseServer(rt, caller, input));
}

// access: admin
export async function configureAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => configureExternalDatabase(rt, caller, input));
}

// access: admin
export async function verifyAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => verifyExternalDatabase(rt, caller, input));
}

// access: admin
export async function useBundledAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => useBundledDatabaseAgain(rt, caller, input));
}

// access: admin
export async function copyDataAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => copyBundledDatabase(rt, caller, input));
}

// access: admin
export async function copyStatusAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => databaseCopyStatus(rt, caller, input));
}

// access: admin
export async function removeBundledVolumeAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => removeBundledDatabaseVolume(rt, caller, input));
}
