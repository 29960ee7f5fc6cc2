import { expect, test, type Browser } from '@playwright/test';
import { signInAsAdmin } from './support/admin';
import { gotoHydrated } from './support/goto-hydrated';

// "Sign out everywhere" in the browser: asked first, then every session of the user ends, the
// other browser's too. A user of its own, so the specs that share the admin keep their sessions.

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

test('a user signs out everywhere after confirming, and their other browser is signed out too', async ({ browser, baseURL }) => {
  const admin = await browser.newPage();
  await signInAsAdmin(admin, baseURL!);
  const email = `everywhere-${Date.now()}@example.com`;
  const password = 'everywhere-password-1';
  await gotoHydrated(admin, '/users');
  await admin.getByRole('button', { name: 'Add user' }).click();
  await admin.getByLabel('Name').fill('Eve');
  await admin.getByLabel('Email').fill(email);
  await admin.getByLabel('Initial password (12 characters or more)').fill(password);
  await admin.getByRole('dialog').getByRole('button', { name: 'Add user' }).click();
  await expect(admin.getByRole('cell', { name: email, exact: true })).toBeVisible();

  const laptop = await signedIn(browser, email, password);
  const phone = await signedIn(browser, email, password);

  await laptop.getByRole('link', { name: 'Two-step sign-in' }).click();
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
