import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { createDeployment, newProjectId, removeProjectResources, type Deployment } from '../fixtures/deployment';
import { startEmptyPostgres } from '../fixtures/empty-postgres';
import { ensureFixtureImages } from '../fixtures/fixture-images';
import { docker } from '../fixtures/run-command';
import { GOOD_VERSION, localImage } from '../fixtures/versions';
import { signInAsAdmin } from '../support/admin';
import { gotoHydrated } from '../support/goto-hydrated';
import { e2eDataDir } from '../support/paths';

// The external-database wizard in a real browser against a real PostgreSQL 17 + pgvector from the
// test bed (started empty: its init scripts are masked), through to verify and back to bundled.
// The server is published on loopback and on the host's address on the Docker bridge: the wizard
// signs in from the stack's network, so it must refuse the first and take the second.

const serverProject = newProjectId('wz-extpg');
const ADMIN_PASSWORD = 'e2e-admin-pw';
const deployDir = path.join(e2eDataDir, 'deploy');
// The stack's db image under this deployment's registry prefix, as a host that ran the stack has it:
// the wizard's probe runs it and never pulls.
const REGISTRY = 'wz-e2e.test/tale';
const PROBE_IMAGE = `${REGISTRY}/tale-db:${GOOD_VERSION}`;
let deployment: Deployment;
let port: number;
let bridge: { host: string; port: number };

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  await ensureFixtureImages();
  const server = await startEmptyPostgres({ project: serverProject, name: 'pg', adminPassword: ADMIN_PASSWORD, onBridge: true });
  port = server.admin.port;
  bridge = server.bridge!;
  await docker(['tag', localImage('db', GOOD_VERSION), PROBE_IMAGE]);
  deployment = await createDeployment({ prefix: 'wz-extdb', registry: REGISTRY });
  fs.mkdirSync(deployDir, { recursive: true });
  for (const f of ['tale.json', '.env']) fs.copyFileSync(path.join(deployment.dir, f), path.join(deployDir, f));
});

test.afterAll(async () => {
  await deployment?.dispose();
  await removeProjectResources(serverProject);
  await docker(['rmi', PROBE_IMAGE]).catch(() => undefined);
  for (const f of ['tale.json', '.env', 'compose.override.yml']) fs.rmSync(path.join(deployDir, f), { force: true });
  fs.rmSync(path.join(deployDir, '.tale'), { recursive: true, force: true });
});

test('an admin moves Tale to an external PostgreSQL and back', async ({ page, baseURL }, testInfo) => {
  test.setTimeout(180_000);
  // On a loaded host the password hash outlasts the helper's 5 s wait; the navigation still comes.
  await signInAsAdmin(page, baseURL!);
  await gotoHydrated(page, '/settings/database');
  await expect(page.getByTestId('database-mode')).toContainText('bundled PostgreSQL container');

  // The server as the console's host reaches it: refused, beside the Host field, with the reason and what to enter.
  await page.getByLabel('Host').fill('127.0.0.1');
  await page.getByLabel('Port').fill(String(port));
  await page.getByLabel('Admin password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Test connection' }).click();
  const hostError = page.locator('#pg-host-error');
  await expect(hostError).toContainText("127.0.0.1 is a loopback address: inside Tale's containers it means the container itself");
  await expect(hostError).toContainText(`the host's address on the Docker bridge, ${bridge.host}`);
  await expect(page.getByLabel('Host')).toHaveAttribute('aria-invalid', 'true');
  // Still there after a toast would have faded (5 s).
  await page.waitForTimeout(6_000);
  await expect(hostError).toBeVisible();
  await expect(page.getByTestId('connection-status')).toHaveCount(0);
  // "Next" cannot be taken, and looks it: disabled, and drawn unlike the enabled button beside it.
  const next = page.getByRole('button', { name: 'Next: checks' });
  await expect(next).toBeDisabled();
  const opacity = (name: string) => page.getByRole('button', { name }).evaluate((b) => getComputedStyle(b).opacity);
  expect(await opacity('Next: checks')).not.toBe(await opacity('Test connection'));
  await page.screenshot({ path: testInfo.outputPath('loopback-refused-desktop.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(hostError).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('loopback-refused-390.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 720 });

  // The same server at the bridge address, signed in to from the stack's network; a wrong password
  // is refused from there and the reason stays beside the step.
  await page.getByLabel('Host').fill(bridge.host);
  await page.getByLabel('Port').fill(String(bridge.port));
  await page.getByLabel('Admin password').fill('wrong-password');
  // The server may still be starting: retry until it answers, then expect the refusal.
  await expect(async () => {
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect(page.getByTestId('step-error')).toContainText('password authentication failed for user "postgres"', { timeout: 5_000 });
  }).toPass({ timeout: 60_000 });
  await expect(hostError).toHaveCount(0);

  await page.getByLabel('Admin password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByTestId('connection-status')).toContainText(/Connected: PostgreSQL 17\.\d+.*without TLS/, { timeout: 30_000 });
  await expect(page.getByTestId('step-error')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Next: checks' })).toBeEnabled();

  await page.getByRole('button', { name: 'Next: checks' }).click();
  await expect(page.locator('[data-check="vector"]')).toContainText('pass', { timeout: 30_000 });
  await expect(page.locator('[data-check="pg_search"]')).toContainText('BM25 search stays off');
  await page.getByRole('button', { name: 'Next: prepare' }).click();

  await page.getByRole('button', { name: 'Show statements' }).click();
  await expect(page.locator('[data-step="role"]')).toContainText(`CREATE ROLE "tale" LOGIN PASSWORD '[SCRAM-SHA-256 verifier of the generated password]'`);
  await expect(page.locator('[data-step="role"]')).toContainText('to run');
  await page.getByRole('button', { name: 'Run statements' }).click();
  // About twenty statements over three connections, after the checks again: slow on a busy host.
  const slow = { timeout: 60_000 };
  await expect(page.locator('[data-step="role"]')).toContainText('created', slow);
  // Any failed step, with its reason, in the failure message.
  await expect(page.getByRole('list', { name: 'Statements' })).not.toContainText('Not run: an earlier step failed');
  await expect(page.locator('[data-step="extension:tale_knowledge:vector"]')).toContainText('created');
  await expect(page.locator('[data-step="extension:tale_knowledge:pg_search"]')).toContainText('skipped');

  // The optional copy step: this console has no bundled db, so a copy fails before comparing
  // anything: its reason once, and no empty "tables that differ" table.
  await page.getByRole('button', { name: 'Next: existing data' }).click();
  await page.getByRole('button', { name: 'Copy existing data…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Copy', exact: true }).click();
  await expect(page.getByText(/There is no bundled db container/).first()).toBeVisible(slow);
  await expect(page.getByText(/There is no bundled db container/)).toHaveCount(1);
  await expect(page.getByRole('table')).toHaveCount(0);
  await expect(page.getByTestId('copy-status')).toHaveCount(0);
  await expect(page.getByTestId('copy-failure')).toContainText('There is no bundled db container');
  await page.getByRole('button', { name: 'Skip: configure' }).click();
  await expect(page.getByTestId('env-diff')).toContainText(`+ POSTGRES_URL=postgresql://tale:••••••@${bridge.host}:${bridge.port}`, slow);
  await expect(page.getByTestId('override-diff')).toContainText('+     profiles: [ disabled ]');
  await page.getByRole('button', { name: 'Write these changes' }).click();
  await expect(page.getByTestId('configure-status')).toContainText('The next deploy runs no db container', slow);
  const env = fs.readFileSync(path.join(deployDir, '.env'), 'utf8');
  const password = /^POSTGRES_URL=postgresql:\/\/tale:([^@]+)@/m.exec(env)?.[1];
  expect(password).toBeTruthy();
  expect(await page.content()).not.toContain(password!);
  expect(await page.content()).not.toContain(ADMIN_PASSWORD);

  await page.getByRole('button', { name: 'Next: verify' }).click();
  const verification = page.getByRole('list', { name: 'Verification' });
  await expect(verification.getByText('ok', { exact: true })).toHaveCount(4, slow);
  await expect(page.getByRole('link', { name: 'Deploy from Deployments' })).toHaveAttribute('href', '/deployments');

  // Pending until a deploy, like any settings change: the settings page offers to apply it.
  await gotoHydrated(page, '/settings');
  await expect(page.getByRole('status').filter({ has: page.getByRole('button', { name: 'Apply now' }) })).toContainText('.env changed');
  await gotoHydrated(page, '/settings/database');
  await expect(page.getByTestId('database-mode')).toContainText(`External PostgreSQL at ${bridge.host}:${bridge.port} as tale`);
  await page.getByRole('button', { name: 'Go back to the bundled database' }).click();
  await expect(page.getByRole('dialog')).toContainText('nothing is copied back');
  await page.getByRole('button', { name: 'Use the bundled database' }).click();
  await expect(page.getByTestId('database-mode')).toContainText('bundled PostgreSQL container', { timeout: 30_000 });
  expect(fs.readFileSync(path.join(deployDir, '.env'), 'utf8')).not.toContain('POSTGRES_URL');

  // Audited, without any password.
  await gotoHydrated(page, '/audit?action=database.configure');
  await expect(page.getByText(`postgres@${bridge.host}:${bridge.port}/postgres`).first()).toBeVisible();
  expect(await page.content()).not.toContain(ADMIN_PASSWORD);
});
