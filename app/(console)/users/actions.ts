'use server';
import { changeRole, createUser, resetPassword, resetTotp, setAdminTotpRequired, setDisabled } from '@/server/services/users';

// Thin: the service checks the admin role, validates and audits. `access:` lines declare who may
// call each action; the authorisation matrix test holds the code to them.

// access: admin
export async function createUserAction(input: unknown) {
  return createUser(input);
}

// access: admin
export async function changeRoleAction(input: unknown) {
  return changeRole(input);
}

// access: admin
export async function setDisabledAction(input: unknown) {
  return setDisabled(input);
}

// access: admin
export async function resetPasswordAction(input: unknown) {
  return resetPassword(input);
}

// access: admin
export async function resetTotpAction(input: unknown) {
  return resetTotp(input);
}

// access: admin
export async function setAdminTotpRequiredAction(input: unknown) {
  return setAdminTotpRequired(input);
}
