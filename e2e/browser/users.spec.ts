import { expect, test } from '@playwright/test';
import { ADMIN, addViewerThroughUi, signInAsAdmin, signInThroughUi } from '../support/admin';
import { gotoHydrated } from '../support/goto-hydrated';

// User administration in the browser: add, change role, disable with confirmation, and the
// last-admin guard. Each step is checked by signing in as the user it affects.

test('an admin manages users, and the console keeps its last admin', async ({ page, baseURL, browser }) => {
  await signInAsAdmin(page, baseURL!);
  await gotoHydrated(page, '/users');

  const email = `viewer-${Date.now()}@example.com`;
  await page.getByRole('button', { name: 'Add user' }).click();
  await page.getByLabel('Name').fill('Val Viewer');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Initial password (12 characters or more)').fill('short');
  await page.getByRole('dialog').getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByText('Use at least 12 characters')).toBeVisible();
  await page.getByLabel('Initial password (12 characters or more)').fill('viewer-password-1');
  await page.getByRole('dialog').getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('cell', { name: email, exact: true })).toBeVisible();

  // The new viewer can sign in and is refused the users page.
  const other = await browser.newPage();
  await other.goto(`${baseURL}/login`);
  await other.getByLabel('Email').fill(email);
  await other.getByLabel('Password').fill('viewer-password-1');
  await other.getByRole('button', { name: 'Sign in' }).click();
  await expect(other).toHaveURL(/\/$/);
  await other.goto(`${baseURL}/users`);
  await expect(other).toHaveURL(/\/$/);

  // Disabling asks first, then signs the user out at once.
  const row = page.getByRole('row', { name: new RegExp(email) });
  await row.getByRole('button', { name: 'Disable' }).click();
  await expect(page.getByRole('dialog')).toContainText('signed out at once');
  await page.getByRole('button', { name: 'Disable account' }).click();
  await expect(row.getByText('Disabled')).toBeVisible();
  await other.goto(`${baseURL}/`);
  await expect(other).toHaveURL(/\/login$/);

  // The only admin cannot demote themself.
  await page.getByLabel(`Role of ${ADMIN.email}`).selectOption('viewer');
  await expect(page.getByText('The console needs at least one enabled admin')).toBeVisible();
  await page.reload();
  await expect(page.getByLabel(`Role of ${ADMIN.email}`)).toHaveValue('admin');

  // Every change is in the audit trail, without the password.
  await gotoHydrated(page, '/audit?action=users.create');
  await expect(page.getByRole('cell', { name: email, exact: true })).toBeVisible();
  await expect(page.getByText('viewer-password-1')).toHaveCount(0);
});

test('an admin grants a viewer operator in one environment, and takes it back', async ({ page, baseURL, browser }, testInfo) => {
  await signInAsAdmin(page, baseURL!);
  const viewer = { name: 'Rhea Roles', email: `t6rl-${Date.now()}@example.com`, password: 'roles-password-1' };
  await addViewerThroughUi(page, viewer);

  const row = page.getByRole('row', { name: new RegExp(viewer.email) });
  await row.getByRole('button', { name: 'Role per environment' }).click();
  const dialog = page.getByRole('dialog', { name: 'Role per environment' });
  const local = dialog.getByLabel(`Role of ${viewer.email} in Local`, { exact: true });
  await expect(local).toHaveValue('inherit');
  await local.selectOption('operator');
  await expect(page.getByText(`${viewer.email} is operator in Local`)).toBeVisible();
  // The last column is the effective role (the select's cell is named by its chosen option too).
  await expect(dialog.getByRole('row', { name: /Local/ }).getByRole('cell').last()).toHaveText('operator');
  await page.screenshot({ path: testInfo.outputPath('role-per-environment.png') });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(row.getByText('operator in Local')).toBeVisible();

  // The grant is what the viewer acts with in Local: the API says so for their own session.
  const context = await browser.newContext({ baseURL });
  const other = await context.newPage();
  await signInThroughUi(other, viewer.email, viewer.password);
  const me = async () => ((await (await other.request.get('/api/v1/me?env=local')).json()) as { role: string }).role;
  expect(await me()).toBe('operator');
  // Their shell's badge says the role they act with here, not their console-wide one.
  await expect(other.getByTestId('role-badge')).toHaveText('operator in Local');

  await row.getByRole('button', { name: 'Role per environment' }).click();
  await local.selectOption('inherit');
  await expect(page.getByText(`${viewer.email} has their console-wide role in Local`)).toBeVisible();
  expect(await me()).toBe('viewer');
  await other.reload();
  await expect(other.getByTestId('role-badge')).toHaveText('viewer');
  await context.close();
});
