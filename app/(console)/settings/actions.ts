'use server';
import { previewDomainChange, previewEnvChange, regenerateSecret, revealSecret, saveDomainChange, saveEnvChange } from '@/server/services/settings/settings';
import { previewPin, resolveHost, restoreVersion, savePin } from '@/server/services/settings/settings-files';
import { initialiseProject } from '@/server/services/settings/settings-init';
import { applySettings } from '@/server/services/settings/settings-apply';

// Thin: the services check the role, validate with the forms' own schemas, write atomically and
// audit. Every write and "Apply now" is an admin's: every container receives the whole .env, so
// whoever picks the registry, an image pin, a service URL or a database host picks the code that
// gets every secret. Operators read the settings (secrets masked) and may ask DNS about HOST.

// access: admin
export async function previewEnvAction(input: unknown) {
  return previewEnvChange(input);
}

// access: admin
export async function saveEnvAction(input: unknown) {
  return saveEnvChange(input);
}

// access: admin
export async function previewDomainAction(input: unknown) {
  return previewDomainChange(input);
}

// access: admin
export async function saveDomainAction(input: unknown) {
  return saveDomainChange(input);
}

// access: admin
export async function revealSecretAction(input: unknown) {
  return revealSecret(input);
}

// access: admin
export async function regenerateSecretAction(input: unknown) {
  return regenerateSecret(input);
}

// access: admin
export async function previewPinAction(input: unknown) {
  return previewPin(input);
}

// access: admin
export async function savePinAction(input: unknown) {
  return savePin(input);
}

// access: admin
export async function restoreVersionAction(input: unknown) {
  return restoreVersion(input);
}

// access: operator
export async function resolveHostAction() {
  return resolveHost();
}

// access: admin
export async function initialiseAction(input: unknown) {
  return initialiseProject(input);
}

// access: admin
export async function applyNowAction() {
  return applySettings();
}
