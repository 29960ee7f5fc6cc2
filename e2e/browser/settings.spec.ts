import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { expect, test, type Page } from '@playwright/test';
import { freeLoopbackPort } from '../fixtures/free-port';
import { waitForUrl } from '../fixtures/http-get';
import { GOOD_VERSION, SERVICES } from '../fixtures/versions';
import { gotoHydrated } from '../support/goto-hydrated';
import { signInAsAdmin } from '../support/admin';
import { consoleDeployDir, prepareConsoleDeployment, type ConsoleDeployment } from '../support/console-deployment';

// Domain & TLS settings on the real test bed: switch the proxy stand-in between external and
// self-signed TLS and set a BASE_PATH through the form, preview, save, "apply now", and check what
// the proxy serves afterwards. The proxy publishes on free loopback ports (compose.override.yml).

let bed: ConsoleDeployment;
let ports: { http: number; https: number };
const deployDir = consoleDeployDir;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  bed = await prepareConsoleDeployment(
    SERVICES.map((service) => ({ service, version: GOOD_VERSION })),
    { prefix: 'e2e-settings', tlsMode: 'external', extraEnv: { DRAIN_TIMEOUT: '2', HEALTH_CHECK_TIMEOUT: '120' } },
  );
  ports = bed.ports;
});

test.afterAll(async () => {
  await bed?.dispose();
});

// One signed-in page for the serial story: the steps build on each other's state anyway.
let page: Page;
test.beforeAll(async ({ browser, baseURL }) => {
  page = await browser.newPage({ baseURL });
  // The overview sign-in lands on asks Docker for the stack's status, which can take longer than
  // admin.ts's default wait on a loaded machine; the URL is what proves the sign-in.
  await signInAsAdmin(page, baseURL!);
});

const platform = (r: { headers: Record<string, unknown> }) => r.headers['x-tale-service'] === 'platform';

/** The issuer of the certificate the proxy presents for `localhost`. */
function certificateIssuer(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () => {
      const issuer = socket.getPeerCertificate().issuer?.CN ?? '';
      socket.end();
      resolve(String(issuer));
    });
    socket.on('error', reject);
  });
}

const pendingBanner = (p: Page) => p.getByRole('status').filter({ has: p.getByRole('button', { name: 'Apply now' }) });

async function followOperation(page: Page): Promise<void> {
  await expect(page).toHaveURL(/\/deployments\/[0-9a-f-]{36}$/, { timeout: 30_000 });
  await expect(page.getByTestId('operation-status')).toHaveText('succeeded', { timeout: 240_000 });
}

async function changeDomain(page: Page, mode: RegExp, basePath: string, expectedDiff: string[]): Promise<void> {
  await gotoHydrated(page, '/settings');
  const form = page.getByRole('form', { name: 'Domain and TLS' });
  await form.getByRole('radio', { name: mode }).check();
  await form.getByLabel('Sub-path (BASE_PATH)').fill(basePath);
  await form.getByRole('button', { name: 'Review changes' }).click();
  const dialog = page.getByRole('dialog');
  for (const key of expectedDiff) await expect(dialog.getByTestId(`diff-${key}`)).toBeVisible();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(pendingBanner(page)).toContainText('.env');
  await page.getByRole('button', { name: 'Apply now' }).click();
  // Apply now shows the plan it would run before anything starts (proxy-restart.spec.ts checks its warning).
  await page.getByRole('dialog', { name: 'Apply the saved settings' }).getByRole('button', { name: 'Apply', exact: true }).click();
  await followOperation(page);
}

test('the first deploy serves plain HTTP in external mode', async ({ baseURL }) => {
  test.setTimeout(300_000);
  // The session cookie's API calls must come from the console's own origin, as a browser's do.
  const res = await page.request.post('/api/v1/deployments', { data: { version: GOOD_VERSION }, headers: { Origin: baseURL! } });
  expect(res.status()).toBe(202);
  const op = (await res.json()) as { id: string };
  await gotoHydrated(page, `/deployments/${op.id}`);
  await followOperation(page);
  await waitForUrl(`http://127.0.0.1:${ports.http}/`, { host: 'localhost', accept: platform, deadlineMs: 60_000 });
});

test('self-signed TLS under /tale: https with the internal CA, the app under the prefix', async () => {
  test.setTimeout(300_000);
  await changeDomain(page, /^Self-signed/, '/tale', ['TLS_MODE', 'BASE_PATH']);
  const res = await waitForUrl(`https://127.0.0.1:${ports.https}/tale/`, { host: 'localhost', accept: platform, deadlineMs: 90_000 });
  expect(res.headers['x-tale-version']).toBe(GOOD_VERSION);
  expect(await certificateIssuer(ports.https)).toMatch(/Caddy Local Authority/);
  const env = fs.readFileSync(path.join(deployDir, '.env'), 'utf8');
  expect(env).toMatch(/^TLS_MODE=selfsigned$/m);
  expect(env).toMatch(/^BASE_PATH=\/tale$/m);
});

test('back to external TLS: plain HTTP, still under the prefix', async () => {
  test.setTimeout(300_000);
  await changeDomain(page, /^External/, '/tale', ['TLS_MODE']);
  const res = await waitForUrl(`http://127.0.0.1:${ports.http}/tale/`, { host: 'localhost', accept: platform, deadlineMs: 90_000 });
  expect(res.headers['x-tale-version']).toBe(GOOD_VERSION);
  // One Apply did everything the change needed (the proxy and the colours): nothing is left.
  await gotoHydrated(page, '/settings');
  await expect(page.getByRole('button', { name: 'Apply now' })).toHaveCount(0);
});

const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

test('sections with a navigation that stays visible, and a filter that hides the keys not matching', async () => {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await gotoHydrated(page, '/settings');
    const nav = page.getByRole('navigation', { name: 'Settings sections' });
    await nav.getByRole('link', { name: 'Image pins' }).click();
    await expect(page).toHaveURL(/#pins$/);
    // Scrolled far down, the navigation is still at the top of the window.
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(300);
    const box = await nav.boundingBox();
    expect(box && box.y >= -1 && box.y < 80, JSON.stringify(box)).toBe(true);
    await expect(page.getByRole('heading', { name: 'Image pins' })).toBeInViewport();

    // Keyboard: the filter is labelled, typed into, and Enter does not submit the form.
    await nav.getByRole('link', { name: 'Environment' }).click();
    const filter = page.getByLabel('Filter keys');
    await filter.focus();
    await page.keyboard.type('drain');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('dialog')).toHaveCount(0);
    await expect(page.getByLabel('DRAIN_TIMEOUT', { exact: true })).toBeVisible();
    await expect(page.getByLabel('HEALTH_CHECK_TIMEOUT', { exact: true })).toBeHidden();
    await expect(page.getByTestId('env-filter-count')).toHaveText(/^1 key matches$/);
    await page.screenshot({ path: test.info().outputPath(`settings-nav-filter-${size.name}.png`) });
    await filter.fill('');
    await expect(page.getByLabel('HEALTH_CHECK_TIMEOUT', { exact: true })).toBeVisible();
  }
  await page.setViewportSize(SIZES[0]);
});

test('published ports: one changed line in the diff, one Apply, the proxy answers on the new port and the snippets use it', async () => {
  test.setTimeout(300_000);
  const before = fs.readFileSync(path.join(deployDir, 'compose.override.yml'), 'utf8');
  const http = await freeLoopbackPort();
  await page.setViewportSize(SIZES[0]);
  await gotoHydrated(page, '/settings');
  await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Published ports' }).click();
  const form = page.getByRole('form', { name: 'Published ports' });
  // The form shows what the hand-written file says.
  await expect(form.getByLabel('Listen on')).toHaveValue('127.0.0.1');
  await expect(form.getByLabel('HTTP port')).toHaveValue(String(ports.http));
  await form.getByLabel('HTTPS port').fill(String(ports.http));
  await form.getByRole('button', { name: 'Review changes' }).click();
  await expect(form.getByText('HTTP and HTTPS need different ports')).toBeVisible();
  await form.getByLabel('HTTPS port').fill(String(ports.https));
  await form.getByLabel('HTTP port').fill(String(http));
  await form.getByRole('button', { name: 'Review changes' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save compose.override.yml?' });
  await expect(dialog).toContainText(`127.0.0.1:${http}:80`);
  await page.screenshot({ path: test.info().outputPath('settings-ports-desktop.png') });
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toHaveCount(0);
  await page.setViewportSize(SIZES[0]);
  // Byte for byte, but the one port: the hand-written line keeps its quotes and spacing.
  expect(fs.readFileSync(path.join(deployDir, 'compose.override.yml'), 'utf8')).toBe(before.replace(`127.0.0.1:${ports.http}:80`, `127.0.0.1:${http}:80`));
  await expect(pendingBanner(page)).toContainText('compose.override.yml');
  await page.getByRole('button', { name: 'Apply now' }).click();
  await page.getByRole('dialog', { name: 'Apply the saved settings' }).getByRole('button', { name: 'Apply', exact: true }).click();
  await followOperation(page);
  await waitForUrl(`http://127.0.0.1:${http}/tale/`, { host: 'localhost', accept: platform, deadlineMs: 60_000 });

  // TLS_MODE is external: the snippets point the upstream proxy at the loopback port.
  await gotoHydrated(page, '/settings');
  await page.getByText('Configuration for your reverse proxy').click();
  await expect(page.getByTestId('nginx-config')).toContainText(`proxy_pass http://127.0.0.1:${http};`);
  await expect(page.getByTestId('caddy-config')).toContainText(`reverse_proxy /tale/* 127.0.0.1:${http}`);
  await page.setViewportSize(SIZES[1]);
  await gotoHydrated(page, '/settings');
  await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Published ports' }).click();
  await expect(page.getByRole('form', { name: 'Published ports' }).getByLabel('HTTP port')).toHaveValue(String(http));
  await page.screenshot({ path: test.info().outputPath('settings-ports-phone.png') });
  await page.setViewportSize(SIZES[0]);
});
