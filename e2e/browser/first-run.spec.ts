import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { e2eDataDir } from '../support/paths';
import { actionIds, callAction } from '../support/server-actions';
import { ADMIN } from '../support/admin';
import { seriousViolations } from '../support/axe';
import { gotoHydrated, waitForHydration } from '../support/goto-hydrated';
import { GOOD_VERSION, SERVICES } from '../fixtures/versions';
import { prepareConsoleDeployment } from '../support/console-deployment';

const admin = ADMIN;
const tokenFile = () => path.join(e2eDataDir, 'setup-token');

async function fillSetup(page: Page, token: string) {
  await page.getByLabel('Setup token').fill(token);
  await page.getByLabel('Your name').fill(admin.name);
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password (12 characters or more)').fill(admin.password);
  await page.getByLabel('Repeat the password').fill(admin.password);
  await page.getByRole('button', { name: 'Create admin and sign in' }).click();
}

async function signIn(page: Page, password: string) {
  await gotoHydrated(page, '/login');
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test.describe.configure({ mode: 'serial' });

let usedToken = '';

test('first run: every page leads to setup, a wrong token is refused, the admin is created', async ({ page }) => {
  await gotoHydrated(page, '/deployments');
  await expect(page).toHaveURL(/\/setup$/);
  // The one page no other spec can see: checked for accessibility here, at desktop and phone size
  // (accessibility.spec.ts checks every other page).
  for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
    await page.setViewportSize(viewport);
    expect(await seriousViolations(page), `/setup at ${viewport.width} px`).toEqual([]);
  }

  await fillSetup(page, 'wrong-token');
  await expect(page.getByText('That setup token is not valid')).toBeVisible();

  usedToken = fs.readFileSync(tokenFile(), 'utf8').trim();
  expect(usedToken.length).toBeGreaterThanOrEqual(24);
  expect(fs.statSync(tokenFile()).mode & 0o777).toBe(0o600);

  await gotoHydrated(page, '/setup');
  await fillSetup(page, usedToken);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await expect(page.getByTestId('signed-in-user')).toHaveText(admin.name);
  expect(fs.existsSync(tokenFile())).toBe(false);

  const session = (await page.context().cookies()).find((c) => c.name.includes('next-auth.session-token'));
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe('Lax');
});

test('sign out, a wrong password is refused, the right one signs in', async ({ page }) => {
  await signIn(page, admin.password);
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  // The overview is server-rendered: its Sign out button works once React has hydrated it (CI
  // once clicked it before, and nothing was sent).
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await gotoHydrated(page, '/users');
  await expect(page).toHaveURL(/\/login$/);

  await signIn(page, 'not the password');
  await expect(page.getByText('Incorrect email, password or code, or the account is disabled or locked for a while.')).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);

  await signIn(page, admin.password);
  await expect(page).toHaveURL(/\/$/);
  await page.getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('row')).toHaveCount(2); // header + the one admin, before users.spec adds more
  await expect(page.getByRole('cell', { name: admin.email })).toBeVisible();
});

test('the used setup token cannot create a second admin', async ({ page, baseURL }) => {
  await gotoHydrated(page, '/setup');
  await expect(page).toHaveURL(/\/login$/);

  const id = actionIds().get('app/(auth)/setup/actions.ts#setupAction')!;
  const body = await callAction(baseURL!, id, [
    { token: usedToken, name: 'Mallory', email: 'mallory@example.com', password: 'p'.repeat(16), confirm: 'p'.repeat(16) },
  ]);
  expect(body).toContain('SETUP_CLOSED');

  await signIn(page, admin.password);
  await expect(page).toHaveURL(/\/$/);
  await gotoHydrated(page, '/users');
  await expect(page.getByRole('row')).toHaveCount(2);
  await expect(page.getByRole('cell', { name: 'mallory@example.com' })).toHaveCount(0);
});

const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

test('no project yet: the overview links to the initialise form, which counts its questions right', async ({ page }) => {
  await signIn(page, admin.password);
  await expect(page).toHaveURL(/\/$/);
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await gotoHydrated(page, '/');
    const hint = page.getByTestId('first-run-initialise');
    await expect(hint).toBeVisible();
    // The link replaces the CLI's advice, which a browser user cannot follow.
    await expect(page.getByText('Run "tale init"')).toHaveCount(0);
    await page.screenshot({ path: test.info().outputPath(`first-run-initialise-${size.name}.png`) });
    await hint.getByRole('link', { name: 'Initialise it in Settings' }).click();
    await expect(page).toHaveURL(/\/settings#initialise$/);
    await expect(page.getByLabel('Domain (HOST)')).toBeInViewport();
    await expect(page.getByText(/Answer two questions \(three for Let.s Encrypt/)).toBeVisible();
  }
});

test('initialised, nothing deployed: the overview offers "Deploy <newest>" with the deploy plan to confirm', async ({ page, baseURL }) => {
  test.setTimeout(300_000);
  const bed = await prepareConsoleDeployment(
    SERVICES.map((service) => ({ service, version: GOOD_VERSION })),
    { prefix: 'st-first', tlsMode: 'external' },
  );
  try {
    await signIn(page, admin.password);
    await expect(page).toHaveURL(/\/$/);
    const operations = async () => ((await (await page.request.get(`${baseURL}/api/v1/operations`)).json()) as { operations: unknown[] }).operations.length;
    const started = await operations();
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await gotoHydrated(page, '/');
      await expect(page.getByTestId('first-run-initialise')).toHaveCount(0);
      // The preflight card (docs/preflight.md): its checks arrive after the page; the project's loopback ports are free.
      const preflight = page.getByTestId('preflight-card');
      await expect(preflight).not.toHaveAttribute('data-status', 'checking');
      await expect(preflight.getByTestId('preflight-ports')).toHaveAttribute('data-status', 'pass');
      const cta = page.getByTestId('first-deploy');
      await cta.getByRole('button', { name: `Deploy ${GOOD_VERSION}` }).click();
      const dialog = page.getByRole('dialog', { name: `Deploy ${GOOD_VERSION}` });
      await expect(dialog.getByTestId('plan-review')).toContainText(`${bed.deployment.id}-platform-blue`);
      await expect(dialog.getByRole('button', { name: `Deploy ${GOOD_VERSION}` })).toBeVisible();
      await page.screenshot({ path: test.info().outputPath(`first-run-deploy-${size.name}.png`) });
      // Confirming starts the usual deploy; cancelled here, nothing is started.
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await expect(dialog).toHaveCount(0);
    }
    expect(await operations()).toBe(started);
  } finally {
    await bed.dispose();
  }
});
