import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { utils } from 'ssh2';
import { expect as baseExpect, test } from '@playwright/test';
import { startSshServer } from '../fixtures/backup-targets';
import { freeLoopbackPort } from '../fixtures/free-port';
import { signInAsAdmin } from '../support/admin';
import { gotoHydrated } from '../support/goto-hydrated';
import { e2eDataDir } from '../support/paths';

// The fleet page with the local environment and one that cannot be reached (saved straight into
// the console's database as test-side set-up: no SSH host is needed to be unreachable), and the add
// form's first step answering a closed port in words. The faults and the deadline are measured in
// e2e/integration/environments.integration.test.ts. The console is shared: the environment is
// removed at the end. The second test adds a production environment through the form (a real sshd
// on loopback, whose sessions find no Docker Engine: nothing here needs one) and walks the shell:
// switcher, header, production band, nav links, an unknown ?env=.

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

test('the shell carries the environment: the switcher keeps the page, the header names it, production is banded, links keep ?env=', async ({ page, baseURL }, testInfo) => {
  test.setTimeout(120_000);
  // No engine behind this host: the shell needs none, and no session may reach this machine's own.
  const ssh = await startSshServer({ setEnv: { DOCKER_HOST: 'unix:///nonexistent/t6sh-docker.sock' } });
  const deployDir = fs.mkdtempSync(path.join(os.tmpdir(), 't6sh-shell-'));
  const name = 't6sh prod';
  const id = 't6sh-prod';
  try {
    await signInAsAdmin(page, baseURL!);
    await gotoHydrated(page, '/environments');
    await page.getByTestId('environment-add').click();
    const form = page.getByTestId('environment-form');
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Colour').selectOption('red');
    await form.getByLabel('SSH endpoint').fill(`ssh://${ssh.user}@127.0.0.1:${ssh.port}`);
    await form.getByLabel('Deployment directory on the host').fill(deployDir);
    await form.getByLabel('Private key').fill(ssh.privateKey);
    await form.getByLabel('Production').check();
    await form.getByRole('button', { name: 'Check the host' }).click();
    await expect(form.getByTestId('environment-host-key')).toContainText(await ssh.fingerprint());
    await form.getByRole('button', { name: 'Confirm host key and add' }).click();
    await expect(page.getByTestId('environment-message')).toHaveText(`Added ${name}.`);

    // Local first: no band, no env in the URL.
    await gotoHydrated(page, '/logs');
    const bar = page.getByTestId('environment-bar');
    await expect(bar).toHaveAttribute('data-environment', 'local');
    await expect(page.getByTestId('environment-name')).toHaveText('Local');
    await expect(page.getByTestId('production-badge')).toHaveCount(0);

    // The switcher by keyboard: Enter opens the list, Enter on an environment follows it.
    const switcher = page.getByRole('button', { name: 'Switch environment' });
    await switcher.focus();
    await page.keyboard.press('Enter');
    await expect(switcher).toHaveAttribute('aria-expanded', 'true');
    const target = page.getByRole('list', { name: 'Environments' }).getByRole('link', { name: new RegExp(name) });
    await target.focus();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(new RegExp(`/logs\\?env=${id}$`));
    await expect(bar).toHaveAttribute('data-environment', id);
    await expect(page.getByTestId('environment-name')).toHaveText(name);
    await expect(page.getByTestId('production-badge')).toContainText('Production');
    await expect(page.getByTestId('production-badge')).toContainText(`${name} serves real users`);
    const header = testInfo.outputPath('environment-header-production.png');
    await bar.screenshot({ path: header });
    await testInfo.attach('environment-header-production', { path: header, contentType: 'image/png' });

    // Every nav link stays in the environment, and the page it opens still says which.
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' })).toHaveAttribute('href', `/?env=${id}`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Deployments' }).click();
    await expect(page).toHaveURL(new RegExp(`/deployments\\?env=${id}$`));
    await expect(page.getByTestId('environment-name')).toHaveText(name);
    await expect(page.getByTestId('production-badge')).toBeVisible();
    const full = testInfo.outputPath('environment-production-page.png');
    await page.screenshot({ path: full, fullPage: true });
    await testInfo.attach('environment-production-page', { path: full, contentType: 'image/png' });

    // Back to Local with the switcher (pointer this time): the env parameter goes, the band too.
    await page.getByRole('button', { name: 'Switch environment' }).click();
    await page.getByRole('list', { name: 'Environments' }).getByRole('link', { name: 'Local' }).click();
    await expect(page).toHaveURL(/\/deployments$/);
    await expect(page.getByTestId('environment-name')).toHaveText('Local');
    await expect(page.getByTestId('production-badge')).toHaveCount(0);

    // A link naming no environment: words and a way back, not a crash page.
    await gotoHydrated(page, '/logs?env=t6sh-nowhere');
    await expect(page.getByRole('heading', { name: 'No such environment', level: 1 })).toBeVisible();
    await expect(page.getByTestId('environment-not-found')).toContainText('t6sh-nowhere');
    await page.getByRole('link', { name: 'Open the Local environment' }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByTestId('environment-name')).toHaveText('Local');
  } finally {
    const res = await page.request.delete(`${baseURL}/api/v1/environments/${id}`, { data: { confirmName: name }, headers: { Origin: baseURL! } });
    await ssh.dispose();
    fs.rmSync(deployDir, { recursive: true, force: true });
    expect(res.status()).toBe(204);
  }
});
