import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { expect, test, type Page } from '@playwright/test';
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
  // The pending banner now names only what is left: the colors for BASE_PATH.
  await gotoHydrated(page, '/settings');
  await expect(pendingBanner(page)).toContainText('blue-green');
});
