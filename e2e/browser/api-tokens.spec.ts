import { expect, test } from '@playwright/test';
import { signInAsAdmin } from '../support/admin';
import { gotoHydrated } from '../support/goto-hydrated';

// API tokens in the browser: created with a role and lifetime, shown once, usable at once as a
// bearer token, listed by prefix only, and dead the moment they are revoked.

test('an admin creates a token, sees it once, uses it and revokes it', async ({ page, baseURL, request }) => {
  // Sign-in verifies an argon2 hash: on a busy test machine it can outlast the default 5 s wait.
  await signInAsAdmin(page, baseURL!);
  await page.getByRole('link', { name: 'API tokens' }).click();
  await expect(page).toHaveURL(/\/tokens$/);

  const name = `ci ${Date.now()}`;
  await page.getByRole('button', { name: 'Create token' }).click();
  await page.getByLabel('Name').fill('bad;name');
  await page.getByRole('dialog').getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByText('Letters, digits, spaces, dots, dashes and underscores only')).toBeVisible();
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Role').selectOption('viewer');
  await page.getByLabel('Expires').selectOption('7');
  await page.getByRole('dialog').getByRole('button', { name: 'Create token' }).click();

  const shown = page.getByLabel('New API token');
  await expect(shown).toHaveValue(/^tale_[A-Za-z0-9_-]{43}$/);
  const token = await shown.inputValue();
  await page.getByRole('button', { name: 'Done' }).click();

  const row = page.getByRole('row', { name: new RegExp(name) });
  await expect(row).toContainText(token.slice(0, 11));
  await expect(row).toContainText('viewer');
  await expect(row.getByText('Active')).toBeVisible();
  // Only the prefix is ever shown again.
  await page.reload();
  await expect(page.getByText(token)).toHaveCount(0);
  expect(await page.content()).not.toContain(token.slice(11));

  const me = await request.get('/api/v1/me', { headers: { Authorization: `Bearer ${token}` } });
  expect(me.status()).toBe(200);
  expect(await me.json()).toMatchObject({ role: 'viewer' });

  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByRole('dialog')).toContainText('get 401');
  await page.getByRole('button', { name: 'Revoke token' }).click();
  await expect(row.getByText('Revoked')).toBeVisible();
  expect((await request.get('/api/v1/me', { headers: { Authorization: `Bearer ${token}` } })).status()).toBe(401);

  // Both are in the audit trail, without the secret.
  await gotoHydrated(page, '/audit?action=api_tokens.revoke');
  await expect(page.getByRole('cell', { name: 'api_tokens.revoke' }).first()).toBeVisible();
  await gotoHydrated(page, '/audit');
  expect(await page.content()).not.toContain(token.slice(11));
});
