import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect as baseExpect, test, type Page, type TestInfo } from '@playwright/test';
import { startSshServer } from '../fixtures/backup-targets';
import { docker as dockerCli } from '../fixtures/run-command';
import { GOOD_VERSION, SERVICES } from '../fixtures/versions';
import { ADMIN, signInAsAdmin } from '../support/admin';
import { allContent, changeKnownContent, contentDigests, DATABASES, seedKnownContent, VOLUMES } from '../support/backup-content';
import { prepareConsoleDeployment, type ConsoleDeployment } from '../support/console-deployment';
import { gotoHydrated } from '../support/goto-hydrated';

// The Backups page in the browser, on the real test bed: back up, keep the password the first
// backup shows, follow the operation, see the backup listed with its row counts, then restore it
// behind the typed project id (a wrong id is refused) and see a deleted row come back; the whole
// round trip once more with known rows in every database and known files in every state volume,
// hashed from the test side before and after, byte for byte (issue #17). Then the repository setting: an SFTP target on a real sshd, its host key confirmed, the connection tested.

const expect = baseExpect.configure({ timeout: 30_000 });

let bed: ConsoleDeployment;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }, testInfo) => {
  test.setTimeout(300_000);
  bed = await prepareConsoleDeployment(SERVICES.map((service) => ({ service, version: GOOD_VERSION })), { prefix: 'bk-ui', extraEnv: { DRAIN_TIMEOUT: '5' } });
  const page = await browser.newPage({ baseURL: testInfo.project.use.baseURL });
  await signInAsAdmin(page, testInfo.project.use.baseURL!);
  const started = await page.request.post('/api/v1/deployments', { data: { version: GOOD_VERSION }, headers: { Origin: testInfo.project.use.baseURL! } });
  expect(started.status()).toBe(202);
  await page.goto(`/deployments/${((await started.json()) as { id: string }).id}`);
  await expect(page.getByTestId('operation-status')).toHaveText('succeeded', { timeout: 180_000 });
  await page.close();
  // Tale's init scripts create the databases in the background once the db runs.
  await expect.poll(async () => (await dockerCli(['exec', `${bed.deployment.id}-db`, 'test', '-f', '/tmp/.db_ready'], { allowFailure: true })).code, { timeout: 120_000 }).toBe(0);
  await psql('CREATE TABLE public.ui_rows (id int PRIMARY KEY, note text); INSERT INTO public.ui_rows SELECT g, $$note $$ || g FROM generate_series(1, 42) g;');
});

test.afterAll(async () => {
  await bed?.dispose();
});

test.beforeEach(async ({ page, baseURL }) => {
  await signInAsAdmin(page, baseURL!);
});

const psql = async (sql: string) =>
  (await dockerCli(['exec', `${bed.deployment.id}-db`, 'psql', '--no-psqlrc', '-v', 'ON_ERROR_STOP=1', '-U', 'tale', '-d', 'tale_platform', '-At', '-c', sql])).stdout.trim();

async function artifact(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

test('back up from the page, keep the password, see the backup with its row counts', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  await gotoHydrated(page, '/backups');
  const rowsBefore = await page.getByTestId('backup-row').count();
  await page.getByTestId('backup-now').click();
  // The console's data directory may already hold a repository from an earlier run of the specs:
  // only the backup that creates it shows the password.
  const dialog = page.getByRole('dialog', { name: 'Keep the repository password' });
  const operation = page.waitForURL(/\/deployments\/[0-9a-f-]{36}$/, { timeout: 30_000 }).then(() => 'operation' as const);
  const shown = dialog.waitFor({ timeout: 30_000 }).then(() => 'password' as const);
  if ((await Promise.race([operation, shown])) === 'password') {
    await expect(page.getByTestId('repository-password')).toHaveText(/^[A-Za-z0-9_-]{43}$/);
    await artifact(page, testInfo, 'backups-password-once');
    await dialog.getByRole('button', { name: /I have kept it/ }).click();
    await expect(page).toHaveURL(/\/deployments\/[0-9a-f-]{36}$/);
  }
  await expect(page.getByTestId('operation-status')).toHaveText('succeeded', { timeout: 120_000 });
  await expect(page.getByTestId('timeline')).toContainText('manifest.json');
  await artifact(page, testInfo, 'backup-operation');

  await gotoHydrated(page, '/backups');
  await expect(page.getByTestId('backup-row')).toHaveCount(rowsBefore + 1);
  await expect(page.getByTestId('backup-row').first()).toContainText(ADMIN.email);
  await expect(page.getByTestId('backup-row').first()).toContainText(GOOD_VERSION);
  await artifact(page, testInfo, 'backups-list');
});

test('restore behind the typed project id brings a deleted row back', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  await psql('DELETE FROM public.ui_rows WHERE id > 40');
  expect(await psql('SELECT count(*) FROM public.ui_rows')).toBe('40');

  await gotoHydrated(page, '/backups');
  await page.getByTestId('backup-row').first().getByRole('button', { name: 'Restore…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Restore this backup' });
  await dialog.getByLabel(/Type the project id/).fill('not-this-one');
  await dialog.getByRole('button', { name: 'Restore' }).click();
  await expect(dialog.getByTestId('restore-error')).toContainText('not this project’s id');
  await dialog.getByLabel(/Type the project id/).fill(bed.deployment.id);
  await artifact(page, testInfo, 'restore-confirmation');
  await dialog.getByRole('button', { name: 'Restore' }).click();
  await expect(page).toHaveURL(/\/deployments\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('operation-status')).toHaveText('succeeded', { timeout: 150_000 });
  await artifact(page, testInfo, 'restore-operation');
  expect(await psql('SELECT count(*) FROM public.ui_rows')).toBe('42');
});

test('the restore took a safety backup first, and the project files are a separate choice shown as a diff', async ({ page }, testInfo) => {
  await gotoHydrated(page, '/backups');
  // The newest backup is the safety backup the restore above took of the state it replaced.
  const newest = page.getByTestId('backup-row').first();
  await expect(newest).toContainText('pre-restore');
  await newest.getByTestId('project-files-button').click();
  const dialog = page.getByRole('dialog', { name: 'Project files of this backup' });
  await expect(dialog.getByTestId('project-file-tale.json')).toContainText('same');
  await expect(dialog.getByTestId('project-file-.env')).toBeVisible();
  // Nothing differs from the state just backed up, so there is nothing to restore.
  await expect(dialog.getByRole('button', { name: 'Restore project files' })).toHaveCount(0);
  await artifact(page, testInfo, 'project-files-diff');
});

test('back up and restore from the page: every row of every database and every file of every state volume is back byte for byte', async ({ page }, testInfo) => {
  test.setTimeout(480_000);
  const projectId = bed.deployment.id;
  // Written and read from the test side only (docker exec psql, throwaway containers on the
  // volumes), as the integration test does: the page is the only way the console is driven.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bk-ui-seed-'));
  try {
    await seedKnownContent(projectId, scratch, { tag: 'bfb', rows: 800, bulkRows: 20_000 });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const before = await allContent(projectId);
  const digests = contentDigests(before);
  const rows = Object.values(before.dbs).reduce((n, tables) => n + Object.values(tables).reduce((m, t) => m + t.split('\n').filter(Boolean).length, 0), 0);
  const files = Object.values(before.vols).reduce((n, entries) => n + entries.filter((e) => / f \d+ /.test(e)).length, 0);
  console.log(`[byte-for-byte] hashed before the backup: ${Object.keys(digests).length - VOLUMES.length} tables (${rows} rows) in ${DATABASES.length} databases, ${files} files in ${VOLUMES.length} volumes`);

  // The backup, started and followed on the page.
  await gotoHydrated(page, '/backups');
  await page.getByTestId('backup-now').click();
  const kept = page.getByRole('dialog', { name: 'Keep the repository password' });
  const operation = page.waitForURL(/\/deployments\/[0-9a-f-]{36}$/, { timeout: 30_000 }).then(() => 'operation' as const);
  if ((await Promise.race([operation, kept.waitFor({ timeout: 30_000 }).then(() => 'password' as const)])) === 'password') {
    // Only when this test runs alone (--grep): otherwise the first test created the repository.
    await kept.getByRole('button', { name: /I have kept it/ }).click();
  }
  await expect(page).toHaveURL(/\/deployments\/[0-9a-f-]{36}$/);
  const t0 = Date.now();
  const status = page.getByTestId('operation-status');
  // The bytes line shows while a part is being copied; a fast host may finish before it is seen.
  const progress = await page.getByTestId('bytes-progress').textContent({ timeout: 60_000 }).catch(() => null);
  await expect(status).toHaveText('succeeded', { timeout: 180_000 });
  console.log(`[byte-for-byte] backup seen in ${Date.now() - t0} ms; progress line ${progress ? `seen: "${progress}"` : 'not seen (finished first)'}`);
  const timeline = page.getByTestId('timeline');
  for (const d of DATABASES) await expect(timeline).toContainText(`Backed up databases/${d}.sql`);
  for (const v of VOLUMES) await expect(timeline).toContainText(`Backed up volumes/${v}.tar`);

  await gotoHydrated(page, '/backups');
  const newest = page.getByTestId('backup-row').first();
  await expect(newest).toContainText('manual');
  await expect(newest).toContainText(ADMIN.email);
  await artifact(page, testInfo, 'byte-for-byte-backups-list');

  // Changes, deletions and additions everywhere; each table and volume they touch no longer hashes the same.
  await changeKnownContent(projectId, 'bfb');
  const changed = contentDigests(await allContent(projectId));
  const touched = [...DATABASES.map((d) => `${d}:public.bfb_rows`), 'tale_platform:public.bfb_documents', ...VOLUMES.map((v) => `volume:${v}`)];
  for (const key of touched) expect(changed[key], key).not.toBe(digests[key]);
  expect(changed['tale_knowledge:private_knowledge.bfb_chunks']).toBeUndefined();

  // The restore wizard, behind the typed project id, then the operation's timeline to its end.
  await gotoHydrated(page, '/backups');
  await newest.getByRole('button', { name: 'Restore…' }).click();
  const wizard = page.getByRole('dialog', { name: 'Restore this backup' });
  await expect(wizard).toContainText('every database is replaced');
  await wizard.getByLabel(/Type the project id/).fill(projectId);
  await artifact(page, testInfo, 'byte-for-byte-restore-wizard');
  await wizard.getByRole('button', { name: 'Restore' }).click();
  await expect(page).toHaveURL(/\/deployments\/[0-9a-f-]{36}$/);
  const t1 = Date.now();
  await expect(status).toHaveText('succeeded', { timeout: 300_000 });
  console.log(`[byte-for-byte] restore (safety backup first) seen in ${Date.now() - t1} ms`);
  await expect(timeline).toContainText('Backing up the current state first');
  for (const d of DATABASES) await expect(timeline).toContainText(`Restored databases/${d}.sql`);
  for (const v of VOLUMES) await expect(timeline).toContainText(`Restored volumes/${v}.tar`);
  await expect(timeline).toContainText('The services are started again');
  await artifact(page, testInfo, 'byte-for-byte-restore-timeline');

  // Every table and every volume, hashed the same way: all back, nothing more.
  const after = contentDigests(await allContent(projectId));
  for (const [key, digest] of Object.entries(digests)) expect(after[key], key).toBe(digest);
  expect(Object.keys(after).sort()).toEqual(Object.keys(digests).sort());
  console.log(`[byte-for-byte] after the restore: all ${Object.keys(after).length} table and volume digests equal those taken before the backup`);
});

test('a restore drill from the page proves the backup restorable; the overview says so; the schedule form validates and saves', async ({ page }, testInfo) => {
  test.setTimeout(420_000);
  await gotoHydrated(page, '/backups');
  const row = page.getByTestId('backup-row').first();
  await row.getByTestId('run-drill').click();
  await expect(page).toHaveURL(/\/deployments\/[0-9a-f-]{36}$/);
  // A throwaway PostgreSQL starts (initdb, the image's init scripts) and the dumps are replayed: slow on a shared host.
  await expect(page.getByTestId('operation-status')).toHaveText('succeeded', { timeout: 360_000 });
  await expect(page.getByTestId('timeline')).toContainText('match the backup');
  await expect(page.getByTestId('timeline')).toContainText('Removed the throwaway PostgreSQL');
  await artifact(page, testInfo, 'drill-operation');

  await gotoHydrated(page, '/backups');
  await expect(page.getByTestId('backup-row').first().getByTestId('drill-status')).toContainText('restorable');

  const schedule = page.getByTestId('backup-schedule');
  await schedule.getByLabel('Time of day (UTC, HH:MM)').fill('25:00');
  await schedule.getByTestId('schedule-save').click();
  await expect(schedule.getByText('A time of day as HH:MM (UTC)')).toBeVisible();
  await schedule.getByLabel('Time of day (UTC, HH:MM)').fill('04:30');
  await schedule.getByLabel('Keep daily').fill('5');
  await schedule.getByTestId('schedule-enabled').check();
  await schedule.getByTestId('schedule-save').click();
  await expect(schedule.getByTestId('schedule-message')).toHaveText('Saved.');
  await expect(schedule.getByTestId('schedule-next')).not.toHaveText('off');
  await artifact(page, testInfo, 'backups-drill-and-schedule');
  // Off again: the specs share one console, and none of them expects a backup to start by itself.
  await schedule.getByTestId('schedule-enabled').uncheck();
  await schedule.getByTestId('schedule-save').click();
  await expect(schedule.getByTestId('schedule-next')).toHaveText('off');

  await gotoHydrated(page, '/');
  await expect(page.getByTestId('last-backup')).toHaveText(/ago$/);
  await expect(page.getByTestId('last-proven')).toHaveText(/ago$/);
  await artifact(page, testInfo, 'overview-backup-health');
});

test('the repository setting: an SFTP target, its host key confirmed, a connection tested and the repository checked', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  // A real sshd on loopback (e2e/fixtures/backup-targets.ts); the console, on this host, reaches it.
  const ssh = await startSshServer();
  try {
    await gotoHydrated(page, '/backups');
    const form = page.getByTestId('backup-target');
    // The setting the other specs use, put back at the end (specs share one console).
    const before = await form.getByLabel(/^Directory/).inputValue();
    await form.getByLabel('Where', { exact: true }).selectOption('sftp');
    await form.getByLabel('User', { exact: true }).fill(ssh.user);
    await form.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await form.getByLabel('Port', { exact: true }).fill(String(ssh.port));
    await form.getByLabel('Path on the server', { exact: true }).fill(`${before}-sftp-ui-${Date.now()}`);
    await form.getByLabel(/Private key/).fill(ssh.privateKey);
    await form.getByTestId('target-save').click();
    await expect(form.getByTestId('target-message')).toContainText('Saved');
    await expect(form.getByTestId('backup-target-current')).toHaveText(new RegExp(`^sftp://${ssh.user}@127\\.0\\.0\\.1:${ssh.port}/`));
    // The key is write-only: not in the page after saving.
    expect(await page.content()).not.toContain('PRIVATE KEY');

    await form.getByTestId('target-test').click();
    const confirm = page.getByRole('dialog', { name: "Confirm the server's host key" });
    await expect(confirm.getByTestId('host-key-fingerprint')).toHaveText(await ssh.fingerprint());
    await artifact(page, testInfo, 'backup-target-host-key');
    await confirm.getByRole('button', { name: 'It matches: trust it' }).click();
    // A repository created by this console before reuses its password; a first one shows it once.
    const kept = page.getByRole('dialog', { name: 'Keep the repository password' }).filter({ has: page.getByTestId('target-repository-password') });
    const connected = form.getByTestId('target-message').filter({ hasText: 'Connected to sftp://' });
    await expect(connected).toBeVisible({ timeout: 60_000 });
    if (await kept.isVisible()) {
      await expect(kept.getByTestId('target-repository-password')).toHaveText(/^[A-Za-z0-9_-]{43}$/);
      await kept.getByRole('button', { name: 'I have kept it' }).click();
    }
    await expect(connected).toContainText('repository created');
    await expect(connected).toContainText(await ssh.fingerprint());
    await artifact(page, testInfo, 'backup-target-connected');

    await form.getByTestId('target-check').click();
    await expect(form.getByTestId('target-message')).toContainText('no errors were found', { timeout: 60_000 });

    // Nothing listens there any more: the test says so, with its code's message.
    await ssh.stop();
    await form.getByTestId('target-test').click();
    await expect(form.getByTestId('target-message')).toContainText('cannot be reached');
    await artifact(page, testInfo, 'backup-target-unreachable');

    await form.getByLabel('Where', { exact: true }).selectOption('local');
    await form.getByLabel(/^Directory/).fill(before);
    await form.getByTestId('target-save').click();
    await expect(form.getByTestId('backup-target-current')).toHaveText(before);
  } finally {
    await ssh.dispose();
  }
});
