import { expect, test, type Browser, type Page } from '@playwright/test';
import { signInAsAdmin } from './support/admin';
import { gotoHydrated } from './support/goto-hydrated';

// "Sign out everywhere" and a change of one's own password in the browser: each ends the user's
// other sessions, the other browser's too. Users of their own, so the specs that share the admin
// keep their sessions.

test.describe.configure({ timeout: 180_000 });

async function signedIn(browser: Browser, email: string, password: string) {
  const page = await (await browser.newContext()).newPage();
  await gotoHydrated(page, '/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The overview asks the Docker Engine before it answers, which takes a while on a busy host.
  await expect(page).toHaveURL(/\/$/, { timeout: 30_000 });
  return page;
}

/** A new viewer (the form's default role), added by the admin through the users page. */
async function addViewer(admin: Page, name: string, email: string, password: string) {
  await gotoHydrated(admin, '/users');
  await admin.getByRole('button', { name: 'Add user' }).click();
  await admin.getByLabel('Name').fill(name);
  await admin.getByLabel('Email').fill(email);
  await admin.getByLabel('Initial password (12 characters or more)').fill(password);
  await admin.getByRole('dialog').getByRole('button', { name: 'Add user' }).click();
  await expect(admin.getByRole('cell', { name: email, exact: true })).toBeVisible();
}

test('a user signs out everywhere after confirming, and their other browser is signed out too', async ({ browser, baseURL }) => {
  const admin = await browser.newPage();
  await signInAsAdmin(admin, baseURL!);
  const email = `everywhere-${Date.now()}@example.com`;
  const password = 'everywhere-password-1';
  await addViewer(admin, 'Eve', email, password);

  const laptop = await signedIn(browser, email, password);
  const phone = await signedIn(browser, email, password);

  await laptop.getByRole('link', { name: 'Account & security' }).click();
  await expect(laptop.getByRole('heading', { name: 'Sessions' })).toBeVisible();
  await laptop.getByRole('button', { name: 'Sign out everywhere' }).click();
  const dialog = laptop.getByRole('dialog');
  await expect(dialog).toContainText('this one too');
  // Cancel ends nothing.
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await phone.reload();
  await expect(phone).toHaveURL(/\/$/);

  await laptop.getByRole('button', { name: 'Sign out everywhere' }).click();
  await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(laptop).toHaveURL(/\/login$/);
  await phone.reload();
  await expect(phone).toHaveURL(/\/login$/);

  await gotoHydrated(admin, '/audit?action=auth.sign_out_everywhere');
  await expect(admin.getByRole('cell', { name: email }).first()).toBeVisible();
});

test('a viewer changes their own password: told so, this browser stays, the other is signed out', async ({ browser, baseURL }) => {
  const admin = await browser.newPage();
  await signInAsAdmin(admin, baseURL!);
  const email = `own-password-${Date.now()}@example.com`;
  const password = 'own-password-first-1';
  const newPassword = 'own-password-second-2';
  await addViewer(admin, 'Vic', email, password);

  const laptop = await signedIn(browser, email, password);
  const phone = await signedIn(browser, email, password);

  await laptop.getByRole('link', { name: 'Account & security' }).click();
  await expect(laptop.getByRole('heading', { name: 'Password' })).toBeVisible();
  const form = {
    current: laptop.getByLabel('Current password', { exact: true }),
    next: laptop.getByLabel('New password (12 characters or more)', { exact: true }),
    again: laptop.getByLabel('New password again', { exact: true }),
    submit: laptop.getByRole('button', { name: 'Change password' }),
  };
  // A confirmation that differs is caught on its field, and nothing changes.
  await form.current.fill(password);
  await form.next.fill(newPassword);
  await form.again.fill(`${newPassword}x`);
  await form.submit.click();
  await expect(laptop.getByText('Passwords do not match')).toBeVisible();
  await phone.reload();
  await expect(phone).toHaveURL(/\/$/);

  await form.again.fill(newPassword);
  await form.submit.click();
  await expect(laptop.getByRole('status').filter({ hasText: 'Password changed' })).toContainText('Your other sessions are signed out; this one stays signed in.');
  await phone.reload();
  await expect(phone).toHaveURL(/\/login$/);
  await laptop.reload();
  await expect(laptop).toHaveURL(/\/two-factor$/);

  await signedIn(browser, email, newPassword);
});
