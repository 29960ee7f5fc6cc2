import { expect as baseExpect, test, type Page, type TestInfo } from '@playwright/test';
import { freeLoopbackPort } from '../fixtures/free-port';
import { signInAsAdmin } from '../support/admin';
import { startWebhookReceiver } from '../support/alert-receivers';
import { gotoHydrated } from '../support/goto-hydrated';

// The Alerts page in the browser: an admin adds a signed webhook pointing at a receiver this spec
// runs on loopback, sends a test (the receiver checks the signature), adds a second one on a
// closed port whose test fails with the reason, and the delivery log shows both. The retries and
// the SMTP path are the integration test's (e2e/integration/alerts.integration.test.ts). The
// console is shared by every spec: the channels are removed at the end, so no later spec's
// operation alerts them.

const expect = baseExpect.configure({ timeout: 30_000 });
const SECRET = 'whsec-browser-spec-0123456789abcdef';

let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

test.beforeAll(async () => {
  receiver = await startWebhookReceiver(SECRET);
});

test.afterAll(async () => {
  await receiver?.stop();
});

async function artifact(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

async function addWebhook(page: Page, name: string, url: string): Promise<void> {
  await page.getByTestId('alert-add').click();
  const form = page.getByTestId('alert-form');
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('URL').fill(url);
  await form.getByLabel('Signing secret').fill(SECRET);
  await form.getByLabel('A backup failed').check();
  await form.getByTestId('alert-save').click();
  await expect(page.getByTestId('alert-message')).toHaveText(`Saved ${name}.`);
}

test('add webhook channels, send tests, read the delivery log', async ({ page, baseURL }, testInfo) => {
  test.setTimeout(120_000);
  await signInAsAdmin(page, baseURL!);
  await gotoHydrated(page, '/alerts');
  await expect(page.getByRole('heading', { name: 'Alerts', level: 1 })).toBeVisible();

  const good = `al-hook-${Date.now()}`;
  const bad = `al-closed-${Date.now()}`;
  const closedPort = await freeLoopbackPort();
  await addWebhook(page, good, receiver.url);
  await addWebhook(page, bad, `http://127.0.0.1:${closedPort}/hook`);
  const goodRow = page.getByTestId('alert-channel-row').filter({ hasText: good });
  await expect(goodRow).toContainText('secret set');
  // The secret never comes back to the browser.
  expect(await page.content()).not.toContain(SECRET);

  await goodRow.getByRole('button', { name: `Send test to ${good}` }).click();
  await expect(goodRow.getByTestId('alert-test-result')).toHaveText(/^Test sent \(\d+ ms\)\.$/);
  expect(receiver.requests).toHaveLength(1);
  expect(receiver.requests[0]).toMatchObject({ verified: true, json: { version: 1, event: 'operation.failed', test: true } });

  const badRow = page.getByTestId('alert-channel-row').filter({ hasText: bad });
  await badRow.getByRole('button', { name: `Send test to ${bad}` }).click();
  await expect(badRow.getByTestId('alert-test-result')).toHaveText(`Test failed: Webhook 127.0.0.1:${closedPort}: connection refused.`);
  await artifact(page, testInfo, 'alert-settings');

  const log = page.getByTestId('alert-log');
  await expect(log.getByTestId('alert-log-row').filter({ hasText: good }).first()).toContainText('sent');
  await expect(log.getByTestId('alert-log-row').filter({ hasText: bad }).first()).toContainText('connection refused');
  await log.scrollIntoViewIfNeeded();
  await artifact(page, testInfo, 'alert-delivery-log');

  // Shared console: leave no channel behind for the specs after this one.
  page.on('dialog', (d) => void d.accept());
  for (const name of [good, bad]) {
    await page.getByTestId('alert-channel-row').filter({ hasText: name }).getByRole('button', { name: `Remove ${name}` }).click();
    await expect(page.getByTestId('alert-message')).toHaveText(`Removed ${name}.`);
  }
  await expect(page.getByTestId('alert-channel-row').filter({ hasText: good })).toHaveCount(0);
});
