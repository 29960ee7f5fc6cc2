'use server';
import { actionCaller } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { createAlertChannel, deleteAlertChannel, testAlertChannel, updateAlertChannel } from '@/server/services/alerts';

// Thin: the service checks the role, validates, audits and stores.

// access: admin
export async function createAlertChannelAction(input: unknown) {
  return createAlertChannel(runtime(), await actionCaller(), input);
}

// access: admin
export async function updateAlertChannelAction(input: unknown) {
  return updateAlertChannel(runtime(), await actionCaller(), input);
}

// access: admin
export async function deleteAlertChannelAction(input: unknown) {
  return deleteAlertChannel(runtime(), await actionCaller(), input);
}

// access: admin
export async function testAlertChannelAction(input: unknown) {
  return testAlertChannel(runtime(), await actionCaller(), input);
}
