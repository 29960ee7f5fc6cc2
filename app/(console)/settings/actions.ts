'use server';
import { inEnvironment } from '@/server/auth/session';
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
export async function previewEnvAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => previewEnvChange(rt, caller, input));
}

// access: admin
export async function saveEnvAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => saveEnvChange(rt, caller, input));
}

// access: admin
export async function previewDomainAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => previewDomainChange(rt, caller, input));
}

// access: admin
export async function saveDomainAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => saveDomainChange(rt, caller, input));
}

// access: admin
export async function revealSecretAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => revealSecret(rt, caller, input));
}

// access: admin
export async function regenerateSecretAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => regenerateSecret(rt, caller, input));
}

// access: admin
export async function previewPinAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => previewPin(rt, caller, input));
}

// access: admin
export async function savePinAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => savePin(rt, caller, input));
}

// access: admin
export async function previewPortsAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => previewProxyPorts(rt, caller, input));
}

// access: admin
export async function savePortsAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => saveProxyPorts(rt, caller, input));
}

// access: admin
export async function restoreVersionAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => restoreVersion(rt, caller, input));
}

// access: operator
export async function resolveHostAction(env: unknown) {
  return inEnvironment(env, (rt, caller) => resolveHost(rt, caller));
}

// access: admin
export async function initialiseAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => initialiseProject(rt, caller, input));
}

// access: admin
export async function freshHostBackupsAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => listFreshHostBackups(rt, caller, input));
}

// access: admin
export async function freshHostRestoreAction(env: unknown, input: unknown) {
  return inEnvironment(env, (rt, caller) => startFreshHostRestore(rt, caller, input));
}

// access: admin
export async function applyNowAction(env: unknown) {
  return inEnvironment(env, (rt, caller) => applySettings(rt, caller));
}

// access: admin
export async function previewApplyAction(env: unknown) {
  return inEnvironment(env, (rt, caller) => previewApply(rt, caller));
}
