import { expect as baseExpect, test, type Browser, type Page } from '@playwright/test';
import { httpGet } from '../fixtures/http-get';
import { GOOD_VERSION, NEXT_VERSION, SERVICES } from '../fixtures/versions';
import { signInAsAdmin } from '../support/admin';
import { prepareConsoleDeployment, type ConsoleDeployment } from '../support/console-deployment';
import { skipBackupInDialog } from '../support/backup-gate';
import { gotoHydrated } from '../support/goto-hydrated';

// Every page, loaded again and again while the stack's containers run, must hydrate without an
// error: React's #418 (a text rendered differently on the server and in the browser) came from
// the overview's uptime column, computed from each side's own clock, and from dates formatted in
// each side's own time zone. The browser here sits in another time zone and locale than the
// server, as an operator abroad does. Also: the icon answers, and a downgrade confirmed in the
// deploy dialog reaches the server with the flag the server now demands.

const expect = baseExpect.configure({ timeout: 30_000 });

const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
const LOADS = 5;
/** Far from UTC, with a date format unlike en-US's: a server-side formatted date cannot pass for a client one. */
const ELSEWHERE = { timezoneId: 'Pacific/Auckland', locale: 'de-DE' };

let bed: ConsoleDeployment;
let downgradeId = '';
let siteUrl = '';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  bed = await prepareConsoleDeployment(
    [GOOD_VERSION, NEXT_VERSION].flatMap((version) => SERVICES.map((service) => ({ service, version }))),
    { prefix: 'ov-pages', extraEnv: { DRAIN_TIMEOUT: '2' } },
  );
  siteUrl = `http://127.0.0.1:${bed.ports.http}/`;
});

test.afterAll(async () => {
  await bed?.dispose();
});

const live = async () => (await httpGet(siteUrl, { host: 'localhost' })).headers['x-tale-version'];

async function deployThroughDialog(page: Page, version: string, downgrade: boolean): Promise<string> {
  await gotoHydrated(page, '/deployments');
  await page.getByLabel('Version').selectOption(version);
  await page.getByRole('button', { name: `Review deploy of ${version}` }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('plan-review')).toBeVisible();
  const confirm = dialog.getByRole('button', { name: `Deploy ${version}` });
  if (downgrade) {
    await expect(dialog.getByTestId('schema-warning')).toContainText('Convex data and indexes are not rolled back');
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel(/I understand/).check();
    // A downgrade changes the live version: the backup gate applies, skipped here with a reason.
    await skipBackupInDialog(dialog);
  } else {
    await expect(dialog.getByTestId('schema-warning')).toHaveCount(0);
  }
  await confirm.click();
  await expect(page).toHaveURL(/\/deployments\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('operation-status')).toHaveText('succeeded', { timeout: 180_000 });
  return page.url().split('/').pop()!;
}

test('a downgrade confirmed in the deploy dialog runs (the dialog sends the flag)', async ({ page, baseURL }) => {
  test.setTimeout(420_000);
  await signInAsAdmin(page, baseURL!);
  await deployThroughDialog(page, NEXT_VERSION, false);
  expect(await live()).toBe(NEXT_VERSION);
  downgradeId = await deployThroughDialog(page, GOOD_VERSION, true);
  expect(await live()).toBe(GOOD_VERSION);
  await expect(page.getByTestId('timeline')).toContainText('Traffic goes to the new colour');
  // The audit trail records that this deploy was a confirmed downgrade.
  await gotoHydrated(page, '/audit');
  await expect(page.locator('main')).toContainText('allowDowngrade');
});

/** A signed-in page in the other time zone and locale, recording every page error and console error. */
async function watchedPage(browser: Browser, baseURL: string, size: keyof typeof SIZES): Promise<{ page: Page; errors: string[]; close(): Promise<void> }> {
  const context = await browser.newContext({ baseURL, viewport: SIZES[size], ...ELSEWHERE });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`${page.url()} pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    // Chromium aborts requests in flight when a network interface comes or goes, which Docker does
    // on a shared test host whenever any test starts or removes a container: not the console's error.
    if (msg.text() === 'Failed to load resource: net::ERR_NETWORK_CHANGED') return console.log(`[page-errors] ignored at ${page.url()}: ${msg.text()}`);
    errors.push(`${page.url()} console.error: ${msg.text()}`);
  });
  await signInAsAdmin(page, baseURL);
  return { page, errors, close: () => context.close() };
}

/** Milliseconds from the start of an overview load until its status and its CPU and memory figures show. */
type OverviewTimes = { status: number; figures: number };

/** A full load, then a moment for React to report what hydration found. */
async function load(page: Page, path: string): Promise<OverviewTimes | null> {
  const t0 = Date.now();
  await gotoHydrated(page, path);
  let times: OverviewTimes | null = null;
  if (path === '/') {
    // The containers stream in after the shell (a Suspense boundary), the figures after them.
    const row = page.getByTestId('container-row').first();
    await expect(row).toBeVisible();
    const status = Date.now() - t0;
    await expect(row).toContainText(/B( \/|$)/);
    times = { status, figures: Date.now() - t0 };
  }
  await page.waitForTimeout(500);
  return times;
}

for (const size of Object.keys(SIZES) as (keyof typeof SIZES)[]) {
  test(`every page loads ${LOADS} times at ${size} size without a page or console error`, async ({ browser, baseURL }, testInfo) => {
    test.setTimeout(600_000);
    expect(downgradeId, 'the deploy test above runs first').not.toBe('');
    const { page, errors, close } = await watchedPage(browser, baseURL!, size);
    try {
      // Something to show on the token page, with its dates.
      await gotoHydrated(page, '/tokens');
      if ((await page.getByRole('cell', { name: `ov ${size}` }).count()) === 0) {
        await page.getByRole('button', { name: 'Create token' }).click();
        await page.getByRole('dialog').getByLabel('Name').fill(`ov ${size}`);
        await page.getByRole('dialog').getByRole('button', { name: 'Create token' }).click();
        await expect(page.getByRole('dialog', { name: 'Copy the token now' })).toBeVisible();
      }
      const pages = ['/', '/deployments', `/deployments/${downgradeId}`, '/logs', '/settings', '/settings/database', '/audit', '/users', '/tokens', '/two-factor'];
      const overview: OverviewTimes[] = [];
      for (let i = 0; i < LOADS; i += 1) {
        for (const path of pages) {
          const times = await load(page, path);
          if (times) overview.push(times);
        }
      }
      await gotoHydrated(page, '/');
      await expect(page.getByTestId('container-row').first()).toContainText(/B( \/|$)/);
      await page.screenshot({ path: testInfo.outputPath(`overview-${size}.png`), fullPage: true });
      const list = (key: keyof OverviewTimes) => overview.map((t) => `${t[key]}`).join(', ');
      console.log(`[page-errors ${size}] ${pages.length * LOADS} loads; overview from load start, ms: status ${list('status')}; CPU and memory ${list('figures')}`);

      // Signed out: the sign-in page. Leave the overview first: its poll, answered 401 once the
      // cookie is gone, is the browser logging a failed fetch, not a page error.
      await page.goto('about:blank');
      await page.context().clearCookies();
      for (let i = 0; i < LOADS; i += 1) await load(page, '/login');

      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
}

test('the icon answers, at /favicon.ico and where the pages link it', async ({ page, request, baseURL }) => {
  const ico = await request.get('/favicon.ico');
  expect(ico.status()).toBe(200);
  expect(ico.headers()['content-type']).toMatch(/^image\//);
  await signInAsAdmin(page, baseURL!);
  const hrefs = await page.locator('link[rel~="icon"]').evaluateAll((links) => links.map((l) => (l as HTMLLinkElement).href));
  expect(hrefs.length).toBeGreaterThan(0);
  for (const href of hrefs) {
    const res = await request.get(href);
    expect(res.status(), href).toBe(200);
    expect(res.headers()['content-type'], href).toMatch(/^image\//);
  }
});
