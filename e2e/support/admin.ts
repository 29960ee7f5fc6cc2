import fs from 'node:fs';
import path from 'node:path';
import { expect, type Page } from '@playwright/test';
import { e2eDataDir } from './paths';
import { actionIds, callAction } from './server-actions';
import { gotoHydrated, waitForHydration } from './goto-hydrated';

/** The admin the browser specs share; first-run.spec.ts creates it through the UI. */
export const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'correct horse battery' };

/** Signs in as ADMIN, creating the account first when a spec runs on its own. */
export async function signInAsAdmin(page: Page, baseURL: string): Promise<void> {
  const tokenFile = path.join(e2eDataDir, 'setup-token');
  if (fs.existsSync(tokenFile)) {
    const token = fs.readFileSync(tokenFile, 'utf8').trim();
    const id = actionIds().get('app/(auth)/setup/actions.ts#setupAction')!;
    await callAction(baseURL, id, [{ token, ...ADMIN, confirm: ADMIN.password }]);
  }
  await signInThroughUi(page, ADMIN.email, ADMIN.password);
}

/** Signs in through the login form and waits for the overview, hydrated (its buttons work). */
export async function signInThroughUi(page: Page, email: string, password: string): Promise<void> {
  await gotoHydrated(page, '/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Generous: on a loaded CI machine the first sign-in (password hash, first render) takes seconds.
  await expect(page).toHaveURL(/\/$/, { timeout: 60_000 });
  await waitForHydration(page);
}

/** A new viewer (the form's default role), added by the admin through the users page. */
export async function addViewerThroughUi(admin: Page, user: { name: string; email: string; password: string }): Promise<void> {
  await gotoHydrated(admin, '/users');
  await admin.getByRole('button', { name: 'Add user' }).click();
  await admin.getByLabel('Name').fill(user.name);
  await admin.getByLabel('Email').fill(user.email);
  await admin.getByLabel('Initial password (12 characters or more)').fill(user.password);
  await admin.getByRole('dialog').getByRole('button', { name: 'Add user' }).click();
  await expect(admin.getByRole('cell', { name: user.email, exact: true })).toBeVisible();
}
