'use server';
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

// Thin: the service checks the admin role, validates and audits (never a password).

// access: admin
export async function testConnectionAction(input: unknown) {
  return testDatabaseConnection(input);
}

// access: admin
export async function checkServerAction(input: unknown) {
  return checkDatabaseServer(input);
}

// access: admin
export async function previewPrepareAction(input: unknown) {
  return previewDatabasePrepare(input);
}

// access: admin
export async function prepareServerAction(input: unknown) {
  return prepareDatabaseServer(input);
}

// access: admin
export async function configureAction(input: unknown) {
  return configureExternalDatabase(input);
}

// access: admin
export async function verifyAction(input: unknown) {
  return verifyExternalDatabase(input);
}

// access: admin
export async function useBundledAction(input: unknown) {
  return useBundledDatabaseAgain(input);
}

// access: admin
export async function copyDataAction(input: unknown) {
  return copyBundledDatabase(input);
}

// access: admin
export async function copyStatusAction(input: unknown) {
  return databaseCopyStatus(input);
}
