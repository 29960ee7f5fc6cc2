'use server';
import { actionCaller } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { previewDomainChange, previewEnvChange, regenerateSecret, revealSecret, saveDomainChange, saveEnvChange } from '@/server/services/settings/settings';
import { previewPin, previewProxyPorts, resolveHost, restoreVersion, savePin, saveProxyPorts } from '@/server/services/settings/settings-files';
import { initialiseProject } from '@/server/services/settings/settings-init';
import { listFreshHostBackups, startFreshHostRestore } from '@/server/services/fresh-restore';
import { applySettings, previewApply } from '@/server/services/settings/settings-apply';

// Thin: the services check the role, validate with the forms' own schemas, write atomically and
// audit. Every write and "Apply now" is an admin's: every container receives the whole .env, so
// whoever picks the registry, an image pin, a service URL or a database host picks the code that
// gets every secret. Operators read the settings (secrets masked) and may ask DNS about HOST.

// access: admin
export async function previewEnvAction(input: unknown) {
  return previewEnvChange(runtime(), await actionCaller(), input);
}

// access: admin
export async function saveEnvAction(input: unknown) {
  return saveEnvChange(runtime(), await actionCaller(), input);
}

// access: admin
export async function previewDomainAction(input: unknown) {
  return previewDomainChange(runtime(), await actionCaller(), input);
}

// access: admin
export async function saveDomainAction(input: unknown) {
  return saveDomainChange(runtime(), await actionCaller(), input);
}

// access: admin
export async function revealSecretAction(input: unknown) {
  return revealSecret(runtime(), await actionCaller(), input);
}

// access: admin
export async function regenerateSecretAction(input: unknown) {
  return regenerateSecret(runtime(), await actionCaller(), input);
}

// access: admin
export async function previewPinAction(input: unknown) {
  return previewPin(runtime(), await actionCaller(), input);
}

// access: admin
export async function savePinAction(input: unknown) {
  return savePin(runtime(), await actionCaller(), input);
}

// access: admin
export async function previewPortsAction(input: unknown) {
  return previewProxyPorts(runtime(), await actionCaller(), input);
}

// access: admin
export async function savePortsAction(input: unknown) {
  return saveProxyPorts(runtime(), await actionCaller(), input);
}

// access: admin
export async function restoreVersionAction(input: unknown) {
  return restoreVersion(runtime(), await actionCaller(), input);
}

// access: operator
export async function resolveHostAction() {
  return resolveHost(runtime(), await actionCaller());
}

// access: admin
export async function initialiseAction(input: unknown) {
  return initialiseProject(runtime(), await actionCaller(), input);
}

// access: admin
export async function freshHostBackupsAction(input: unknown) {
  return listFreshHostBackups(runtime(), await actionCaller(), input);
}

// access: admin
export async function freshHostRestoreAction(input: unknown) {
  return startFreshHostRestore(runtime(), await actionCaller(), input);
}

// access: admin
export async function applyNowAction() {
  return applySettings(runtime(), await actionCaller());
}

// access: admin
export async function previewApplyAction() {
  return previewApply(runtime(), await actionCaller());
}
