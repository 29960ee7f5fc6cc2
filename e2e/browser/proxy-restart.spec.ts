import { expect, test, type Page } from '@playwright/test';
import { PROXY_RESTART_SECONDS } from '@/server/engine/proxy-restart';
import { docker } from '../fixtures/run-command';
import { waitForUrl } from '../fixtures/http-get';
import { GOOD_VERSION, SERVICES } from '../fixtures/versions';
import { gotoHydrated } from '../support/goto-hydrated';
import { signInAsAdmin } from '../support/admin';
import { prepareConsoleDeployment, type ConsoleDeployment } from '../support/console-deployment';

// Replacing the running proxy leaves the whole site unreachable for a moment (bench/proxy-blip.ts
// measures it). The dialogs that confirm such a plan (Apply now, a deploy with infrastructure)
// say so before anything runs (one Apply recreates the proxy and deploys the colours), and a plan
// that leaves the proxy alone says nothing of the kind;
// a change made and undone replaces nothing at all. On the real test bed, the proxy published on
// free loopback ports.

let bed: ConsoleDeployment;
let page: Page;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser, baseURL }) => {
  test.setTimeout(300_000);
  bed = await prepareConsoleDeployment(
    SERVICES.map((service) => ({ service, version: GOOD_VERSION })),
    { prefix: 'px-restart', tlsMode: 'external', extraEnv: { DRAIN_TIMEOUT: '2', HEALTH_CHECK_TIMEOUT: '120' } },
  );
  page = await browser.newPage({ baseURL });
  await signInAsAdmin(page, baseURL!);
});

test.afterAll(async () => {
  await page?.close();
  await bed?.dispose();
});

const WARNING = `The site is unreachable for about ${PROXY_RESTART_SECONDS} seconds while the proxy restarts.`;
const platform = (r: { headers: Record<string, unknown> }) => r.headers['x-tale-service'] === 'platform';
const proxyId = async () => (await docker(['inspect', '--format', '{{.Id}}', `${bed.deployment.id}-proxy`])).stdout.trim();

async function followOperation(): Promise<void> {
  await expect(page).toHaveURL(/\/deployments\/[0-9a-f-]{36}$/, { timeout: 30_000 });
  await expect(page.getByTestId('operation-status')).toHaveText('succeeded', { timeout: 240_000 });
}

async function saveDomain(mode: RegExp, basePath: string): Promise<void> {
  await gotoHydrated(page, '/settings');
  const form = page.getByRole('form', { name: 'Domain and TLS' });
  await form.getByRole('radio', { name: mode }).check();
  await form.getByLabel('Sub-path (BASE_PATH)').fill(basePath);
  await form.getByRole('button', { name: 'Review changes' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ has: page.getByRole('button', { name: 'Apply now' }) })).toContainText('.env');
}

/** Opens Apply now's confirmation on the settings page and returns the dialog. */
async function openApply() {
  await gotoHydrated(page, '/settings');
  await page.getByRole('button', { name: 'Apply now' }).click();
  const dialog = page.getByRole('dialog', { name: 'Apply the saved settings' });
  await expect(dialog.getByTestId('plan-review')).toBeVisible();
  return dialog;
}

test('the first deploy serves plain HTTP', async ({ baseURL }) => {
  test.setTimeout(300_000);
  const res = await page.request.post('/api/v1/deployments', { data: { version: GOOD_VERSION }, headers: { Origin: baseURL! } });
  expect(res.status()).toBe(202);
  await gotoHydrated(page, `/deployments/${((await res.json()) as { id: string }).id}`);
  await followOperation();
  await waitForUrl(`http://127.0.0.1:${bed.ports.http}/`, { host: 'localhost', accept: platform, deadlineMs: 60_000 });
});

test('after a TLS and BASE_PATH change, the deploy dialog with infrastructure and Apply now both warn before confirming', async () => {
  test.setTimeout(300_000);
  await saveDomain(/^Self-signed/, '/tale');

  // A deploy with infrastructure would replace the proxy too: its review says so; cancelled.
  await gotoHydrated(page, '/deployments');
  await page.getByLabel('Version').selectOption(GOOD_VERSION);
  await page.getByLabel('Include infrastructure (db, proxy, convex)').check();
  await page.getByRole('button', { name: `Review deploy of ${GOOD_VERSION}` }).click();
  const deployDialog = page.getByRole('dialog', { name: `Deploy ${GOOD_VERSION}` });
  await expect(deployDialog.getByTestId('proxy-restart-warning')).toHaveText(WARNING);
  await deployDialog.getByRole('button', { name: 'Cancel' }).click();

  // One Apply does both parts, in order: the proxy, then the colours' blue-green switch.
  const dialog = await openApply();
  await expect(dialog.getByTestId('proxy-restart-warning')).toHaveText(WARNING);
  for (const [name, size] of [['desktop', { width: 1280, height: 720 }], ['390', { width: 390, height: 844 }]] as const) {
    await page.setViewportSize(size);
    await dialog.getByTestId('proxy-restart-warning').scrollIntoViewIfNeeded();
    await expect(dialog.getByTestId('proxy-restart-warning')).toBeVisible();
    await page.screenshot({ path: test.info().outputPath(`proxy-restart-warning-${name}.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
  await expect(dialog.getByTestId('plan-review')).toContainText(`stop ${bed.deployment.id}-proxy-retiring`);
  await expect(dialog.getByTestId('plan-review')).toContainText('switch traffic to');
  const before = await proxyId();
  await dialog.getByRole('button', { name: 'Apply', exact: true }).click();
  await followOperation();
  expect(await proxyId()).not.toBe(before);
  await waitForUrl(`https://127.0.0.1:${bed.ports.https}/tale/`, { host: 'localhost', accept: platform, deadlineMs: 90_000 });
  await gotoHydrated(page, '/settings');
  await expect(page.getByRole('button', { name: 'Apply now' })).toHaveCount(0);
});

test('a TLS change made and undone: Apply now says the proxy is unchanged, warns of nothing and keeps it running', async () => {
  test.setTimeout(300_000);
  await saveDomain(/^External/, '/tale');
  await saveDomain(/^Self-signed/, '/tale');
  const dialog = await openApply();
  await expect(dialog.getByTestId('plan-review')).toContainText('The proxy’s configuration is unchanged');
  await expect(dialog.getByTestId('proxy-restart-warning')).toHaveCount(0);
  const before = await proxyId();
  await dialog.getByRole('button', { name: 'Apply', exact: true }).click();
  await followOperation();
  expect(await proxyId()).toBe(before);
  // Applied: nothing is pending any more.
  await gotoHydrated(page, '/settings');
  await expect(page.getByRole('button', { name: 'Apply now' })).toHaveCount(0);
});
