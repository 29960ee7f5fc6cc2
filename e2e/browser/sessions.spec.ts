import { expect, test, type Browser } from '@playwright/test';
import { addViewerThroughUi, signInAsAdmin, signInThroughUi } from '../support/admin';
import { gotoHydrated } from '../support/goto-hydrated';

// "Sign out everywhere" and a change of one's own password in the browser: each ends the user's
// other sessions, the other browser's too. Users of their own, so the specs that share the admin
// keep their sessions.

test.describe.configure({ timeout: 180_000 });

async function signedIn(browser: Browser, email: string, password: string) {
  const page = await (await browser.newContext()).newPage();
  await signInThroughUi(page, email, password);
  return page;
}

/** A new viewer, added by the shared admin, signed in on two browsers of their own. */
async function viewerOnTwoBrowsers(browser: Browser, baseURL: string, viewer: { name: string; email: string; password: string }) {
  const admin = await browser.newPage();
  await signInAsAdmin(admin, baseURL);
  await addViewerThroughUi(admin, viewer);
  return { admin, laptop: await signedIn(browser, viewer.email, viewer.password), phone: await signedIn(browser, viewer.email, viewer.password) };
}

test('a user signs out everywhere after confirming, and their other browser is signed out too', async ({ browser, baseURL }) => {
  const email = `everywhere-${Date.now()}@example.com`;
  const { admin, laptop, phone } = await viewerOnTwoBrowsers(browser, baseURL!, { name: 'Eve', email, password: 'everywhere-password-1' });

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
  const email = `own-password-${Date.now()}@example.com`;
  const password = 'own-password-first-1';
  const newPassword = 'own-password-second-2';
  const { laptop, phone } = await viewerOnTwoBrowsers(browser, baseURL!, { name: 'Vic', email, password });

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
