import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { createDeployment, type Deployment } from '../fixtures/deployment';
import { createUser } from '../support/accounts';
import { signInAsAdmin, signInThroughUi } from '../support/admin';
import { consoleDeployDir } from '../support/console-deployment';
import { gotoHydrated } from '../support/goto-hydrated';
import { runAction } from '../support/server-actions';

// An operator on the settings page: every value readable (secrets masked), nothing to change, save,
// restore or apply, and one line saying why. The admin's saved pin makes the history and the
// "pending" banner show, so those are checked too.

const OPERATOR = { name: 'Otto Operator', email: `otto-settings-${Date.now()}@example.com`, password: 'otto-operator-password-1' };
const PINNED = 'registry.local:5000/tale/tale-platform:1.2.0';
let dep: Deployment;

test.beforeAll(async ({ browser, baseURL }) => {
  dep = await createDeployment({ prefix: 'e2e-settings-roles', extraEnv: { CUSTOM_FLAG: 'on' } });
  fs.mkdirSync(consoleDeployDir, { recursive: true });
  for (const f of ['tale.json', '.env']) fs.copyFileSync(path.join(dep.dir, f), path.join(consoleDeployDir, f));

  const admin = await browser.newPage({ baseURL });
  await signInAsAdmin(admin, baseURL!);
  const cookie = (await admin.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  await createUser(baseURL!, cookie, { ...OPERATOR, role: 'operator' });
  expect(await runAction(baseURL!, 'app/(console)/settings/actions.ts#savePinAction', ['local', { service: 'platform', image: PINNED }], cookie)).toMatchObject({ ok: true });
  await admin.close();
});

test.afterAll(async () => {
  await dep?.dispose();
  for (const f of ['tale.json', '.env', 'compose.override.yml']) fs.rmSync(path.join(consoleDeployDir, f), { force: true });
  fs.rmSync(path.join(consoleDeployDir, '.tale'), { recursive: true, force: true });
});

const signInAsOperator = (page: Page) => signInThroughUi(page, OPERATOR.email, OPERATOR.password);

test('an operator sees every setting read-only, with the reason, and no control that would change one', async ({ page }) => {
  await signInAsOperator(page);
  await gotoHydrated(page, '/settings');

  await expect(page.getByRole('note')).toHaveText('Only admins can change settings: these values decide which code receives every secret.');

  // The values are there to read.
  const domain = page.getByRole('form', { name: 'Domain and TLS' });
  await expect(domain.getByLabel('Host (HOST)')).toHaveValue('localhost');
  await expect(page.getByLabel('Other settings, one KEY=value per line')).toHaveValue(/CUSTOM_FLAG=on/);
  await expect(page.getByText(PINNED)).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Pending' })).toContainText('An admin can apply them now.');

  // Nothing can be typed, chosen, saved, pinned, restored or applied.
  const textboxes = page.getByRole('main').getByRole('textbox');
  expect(await textboxes.count()).toBeGreaterThan(5);
  for (const box of await textboxes.all()) await expect(box).not.toBeEditable();
  for (const radio of await domain.getByRole('radio').all()) await expect(radio).toBeDisabled();
  for (const name of ['Review changes', 'Pin', 'Unpin', 'Restore', 'Apply now', /^Reveal/, /^Regenerate/]) {
    await expect(page.getByRole('button', { name })).toHaveCount(0);
  }
  // The only button left asks DNS about the saved HOST (a read); none is shown disabled.
  for (const button of await page.getByRole('main').getByRole('button').all()) await expect(button).toBeEnabled();
  await expect(page.getByRole('link', { name: 'external database wizard' })).toHaveCount(0);
});
