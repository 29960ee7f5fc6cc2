import { expect as baseExpect, test } from '@playwright/test';
import { startRemoteHost, type RemoteHost } from '../fixtures/remote-host';
import { signInAsAdmin } from '../support/admin';
import { gotoHydrated } from '../support/goto-hydrated';

// The add form's TCP + TLS choice against a real Docker Engine listening with --tlsverify on
// loopback (e2e/fixtures/remote-host.ts with tls): a CA that did not sign the engine's certificate
// is refused in words on the form, then the right one (loaded from a file into its textarea) adds
// the environment, listed with its tcp:// endpoint and the CA's fingerprint and nothing of a PEM.
// The console is shared: the environment is removed at the end.

const expect = baseExpect.configure({ timeout: 30_000 });
const NAME = 't7tcp browser';

let host: RemoteHost;
test.beforeAll(async () => {
  host = await startRemoteHost({ id: 't7tcpb', tls: true });
});
test.afterAll(async () => {
  await host?.dispose();
});

test('adds a TCP + TLS environment through the form; a wrong CA is refused in words', async ({ page, baseURL }, testInfo) => {
  test.setTimeout(120_000);
  const tls = host.tcp!.tls;
  let id: string | null = null;
  try {
    await signInAsAdmin(page, baseURL!);
    await gotoHydrated(page, '/environments');
    await page.getByTestId('environment-add').click();
    const form = page.getByTestId('environment-form');
    await form.getByLabel('TCP + TLS client certificate').check();
    await form.getByLabel('Name').fill(NAME);
    await form.getByLabel('Docker TLS endpoint').fill(`tcp://127.0.0.1:${host.tcp!.port}`);
    await form.getByLabel('CA certificate', { exact: true }).fill(tls.otherCa.cert);
    await form.getByLabel('Client certificate', { exact: true }).fill(tls.client.cert);
    await form.getByLabel('Client key', { exact: true }).fill(tls.client.key);
    await form.getByRole('button', { name: 'Check the engine and add' }).click();
    await expect(form.getByTestId('environment-error')).toContainText("the host's certificate is not signed by the CA you gave");
    const shot = testInfo.outputPath('environment-tcp-wrong-ca.png');
    await page.screenshot({ path: shot, fullPage: true });
    await testInfo.attach('environment-tcp-wrong-ca', { path: shot, contentType: 'image/png' });

    // The right CA from a file: the upload fills the textarea, which is what is sent.
    await form.getByLabel('CA certificate from a file').setInputFiles({ name: 'ca.pem', mimeType: 'application/x-pem-file', buffer: Buffer.from(tls.ca.cert) });
    await expect(form.getByLabel('CA certificate', { exact: true })).toHaveValue(tls.ca.cert);
    await form.getByRole('button', { name: 'Check the engine and add' }).click();
    await expect(page.getByTestId('environment-message')).toHaveText(`Added ${NAME}.`);
    const row = page.getByTestId('environment-row').filter({ hasText: NAME });
    await expect(row).toContainText(`tcp://127.0.0.1:${host.tcp!.port}`);
    await expect(row).toContainText('x509-ca SHA256:');
    id = 't7tcp-browser';
    const html = await page.content();
    for (const line of [tls.client.key, tls.ca.cert].flatMap((p) => p.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')))) expect(html).not.toContain(line);
    const added = testInfo.outputPath('environment-tcp-added.png');
    await page.screenshot({ path: added, fullPage: true });
    await testInfo.attach('environment-tcp-added', { path: added, contentType: 'image/png' });
  } finally {
    if (id) {
      const res = await page.request.delete(`${baseURL}/api/v1/environments/${id}`, { data: { confirmName: NAME }, headers: { Origin: baseURL! } });
      expect(res.status()).toBe(204);
    }
  }
});
