import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { utils } from 'ssh2';
import { expect as baseExpect, test } from '@playwright/test';
import { freeLoopbackPort } from '../fixtures/free-port';
import { signInAsAdmin } from '../support/admin';
import { gotoHydrated } from '../support/goto-hydrated';
import { e2eDataDir } from '../support/paths';

// The fleet page with the local environment and one that cannot be reached (saved straight into
// the console's database as test-side set-up: no SSH host is needed to be unreachable), and the add
// form's first step answering a closed port in words. The faults and the deadline are measured in
// e2e/integration/environments.integration.test.ts. The console is shared: the environment is
// removed at the end.

const expect = baseExpect.configure({ timeout: 30_000 });
const ID = 'ev-browser-closed';
// OpenSSH format, as an operator pastes it: the transport refuses a key ssh2 cannot read before connecting.
const privateKey = utils.generateKeyPairSync('ed25519').private;

test('the fleet shows local reachable and an unreachable environment with its error; the add form says why a host fails', async ({ page, baseURL }, testInfo) => {
  test.setTimeout(120_000);
  const closedPort = await freeLoopbackPort();
  const db = new Database(path.join(e2eDataDir, 'console.db'));
  try {
    db.prepare(
      `INSERT INTO environments (id, name, colour, kind, ssh_user, ssh_host, ssh_port, deploy_dir, host_key_algorithm, host_key_fingerprint, created_at, created_by)
       VALUES (?, 'ev browser', 'red', 'ssh', 'tale', '127.0.0.1', ?, '/srv/ev-browser', 'ssh-ed25519', ?, ?, 'spec')`,
    ).run(ID, closedPort, 'SHA256:' + 'A'.repeat(43), Date.now());
  } finally {
    db.close();
  }
  fs.mkdirSync(path.join(e2eDataDir, 'environments'), { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(e2eDataDir, 'environments', `${ID}.key`), privateKey, { mode: 0o600 });
  try {
    await signInAsAdmin(page, baseURL!);
    await page.getByRole('link', { name: 'Fleet' }).click();
    await expect(page.getByRole('heading', { name: 'Fleet', level: 1 })).toBeVisible();
    await expect(page.locator('[data-testid="fleet-card"][data-environment="local"]')).toHaveAttribute('data-reachable', 'true');
    const down = page.locator(`[data-testid="fleet-card"][data-environment="${ID}"]`);
    await expect(down).toHaveAttribute('data-reachable', 'false');
    await expect(down.getByTestId('fleet-error')).toContainText('cannot be reached over SSH');
    const file = testInfo.outputPath('fleet.png');
    await page.screenshot({ path: file, fullPage: true });
    await testInfo.attach('fleet', { path: file, contentType: 'image/png' });

    await gotoHydrated(page, '/environments');
    await page.getByTestId('environment-add').click();
    const form = page.getByTestId('environment-form');
    await form.getByLabel('Name').fill('ev browser scan');
    await form.getByLabel('SSH endpoint').fill(`ssh://tale@127.0.0.1:${closedPort}`);
    await form.getByLabel('Deployment directory on the host').fill('/srv/ev-browser-scan');
    await form.getByLabel('Private key').fill(privateKey);
    await form.getByRole('button', { name: 'Check the host' }).click();
    await expect(form.getByTestId('environment-error')).toContainText('The host cannot be reached over SSH.');
    await expect(form.getByTestId('environment-host-key')).toHaveCount(0);
    const shot = testInfo.outputPath('environment-scan-error.png');
    await page.screenshot({ path: shot, fullPage: true });
    await testInfo.attach('environment-scan-error', { path: shot, contentType: 'image/png' });
  } finally {
    const res = await page.request.delete(`${baseURL}/api/v1/environments/${ID}`, { data: { confirmName: 'ev browser' }, headers: { Origin: baseURL! } });
    expect(res.status()).toBe(204);
  }
});
