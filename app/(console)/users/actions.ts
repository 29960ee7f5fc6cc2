'use server';
import { actionCaller } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { setEnvironmentRole } from '@/server/services/environment-roles';
import { changeRole, createUser, resetPassword, resetTotp, setAdminTotpRequired, setDisabled } from '@/server/services/users';

// Thin: the service checks the admin role, validates and audits. `access:` lines declare who may
// call each action; the authorisation matrix test holds the code to them.

// access: admin
export async function createUserAction(input: unknown) {
  return createUser(runtime(), await actionCaller(), input);
}

// access: admin
export async function changeRoleAction(input: unknown) {
  return changeRole(runtime(), await actionCaller(), input);
}

// access: admin
export async function setDisabledAction(input: unknown) {
  return setDisabled(runtime(), await actionCaller(), input);
}

// access: admin
export async function resetPasswordAction(input: unknown) {
  return resetPassword(runtime(), await actionCaller(), input);
}

// access: admin
export async function resetTotpAction(input: unknown) {
  return resetTotp(runtime(), await actionCaller(), input);
}

// access: admin
export async function setAdminTotpRequiredAction(input: unknown) {
  return setAdminTotpRequired(runtime(), await actionCaller(), input);
}

// Users are global, so this takes no environment: the grant names the one it is for.
// access: admin
export async function setEnvironmentRoleAction(input: unknown) {
  return setEnvironmentRole(runtime(), await actionCaller(), input);
}
