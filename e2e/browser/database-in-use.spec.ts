import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { docker } from '../fixtures/run-command';
import { GOOD_VERSION, SERVICES } from '../fixtures/versions';
import { signInAsAdmin } from '../support/admin';
import { consoleDeployDir, prepareConsoleDeployment, type ConsoleDeployment } from '../support/console-deployment';
import { gotoHydrated } from '../support/goto-hydrated';

// Which database the running stack uses, against what the files say (issue #20, defect 2), on the
// real test bed: deployed on the bundled db, the files switched to an external server by hand (the
// wizard's own steps are external-database.spec.ts), the pending mark on the overview and the
// database page; after the deploy, "in use: external", the bundled db "stopped (not used)", and
// its volume removed with a typed confirmation. The stand-in services never open the database, so
// the external host need not exist.

const EXTERNAL = { host: 'pg.bd-e2e.test', port: 6543 };
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

let bed: ConsoleDeployment;
let page: Page;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser, baseURL }) => {
  test.setTimeout(300_000);
  bed = await prepareConsoleDeployment(
    SERVICES.map((service) => ({ service, version: GOOD_VERSION })),
    { prefix: 'bd-inuse', tlsMode: 'external', extraEnv: { DRAIN_TIMEOUT: '2', HEALTH_CHECK_TIMEOUT: '120' } },
  );
  page = await browser.newPage({ baseURL });
  await signInAsAdmin(page, baseURL!);
});

test.afterAll(async () => {
  await page?.close();
  await bed?.dispose();
});

async function screenshots(testInfo: TestInfo, name: string): Promise<void> {
  for (const [size, viewport] of Object.entries(SIZES)) {
    await page.setViewportSize(viewport);
    const file = testInfo.outputPath(`${name}-${size}.png`);
    await page.screenshot({ path: file, fullPage: true });
    await testInfo.attach(`${name}-${size}`, { path: file, contentType: 'image/png' });
  }
  await page.setViewportSize(SIZES.desktop);
}

async function deployNow(baseURL: string): Promise<void> {
  const res = await page.request.post('/api/v1/deployments', { data: { version: GOOD_VERSION }, headers: { Origin: baseURL } });
  expect(res.status()).toBe(202);
  await gotoHydrated(page, `/deployments/${((await res.json()) as { id: string }).id}`);
  await expect(page.getByTestId('operation-status')).toHaveText('succeeded', { timeout: 240_000 });
}

test('on the bundled db, then with the files switched: in use bundled, the switch pending', async ({ baseURL }, testInfo) => {
  test.setTimeout(300_000);
  await deployNow(baseURL!);
  await gotoHydrated(page, '/');
  await expect(page.getByTestId('overview-database').getByTestId('database-in-use')).toHaveText('In use: bundled (db container)', { timeout: 15_000 });
  await expect(page.getByTestId('database-pending')).toHaveCount(0);

  // What the wizard's Configure writes: the three URLs and the bundled db disabled.
  const base = `postgresql://tale:not-shown-${Date.now()}@${EXTERNAL.host}:${EXTERNAL.port}`;
  fs.appendFileSync(path.join(consoleDeployDir, '.env'), `POSTGRES_URL=${base}\nRAG_DATABASE_URL=${base}/tale_knowledge\nCRAWLER_DATABASE_URL=${base}/tale_knowledge\n`);
  fs.appendFileSync(path.join(consoleDeployDir, 'compose.override.yml'), '  db:\n    profiles: [disabled]\n');

  const pending = `pending: switches to external (${EXTERNAL.host}:${EXTERNAL.port}) at the next deploy`;
  await gotoHydrated(page, '/settings/database');
  await expect(page.getByTestId('database-in-use')).toHaveText('In use: bundled (db container)');
  await expect(page.getByTestId('database-pending')).toHaveText(pending);
  await expect(page.getByTestId('database-mode')).toContainText(`Configured for the next deploy: External PostgreSQL at ${EXTERNAL.host}:${EXTERNAL.port}`);
  await expect(page.getByTestId('bundled-db-state')).toContainText('running until the next deploy');
  await expect(page.getByRole('button', { name: 'Remove the bundled database volume' })).toBeDisabled();
  expect(await page.content()).not.toContain('not-shown-');
  await screenshots(testInfo, 'database-pending');

  await gotoHydrated(page, '/');
  await expect(page.getByTestId('overview-database').getByTestId('database-pending')).toHaveText(pending, { timeout: 15_000 });
  await screenshots(testInfo, 'overview-pending');
});

test('after the deploy: in use external, the bundled db stopped (not used), its volume removable by name', async ({ baseURL }, testInfo) => {
  test.setTimeout(300_000);
  await deployNow(baseURL!);
  const id = bed.deployment.id;
  expect((await docker(['inspect', '--format', '{{.State.Running}}', `${id}-db`])).stdout.trim()).toBe('false');

  await gotoHydrated(page, '/');
  const line = page.getByTestId('overview-database');
  await expect(line.getByTestId('database-in-use')).toHaveText(`In use: external (${EXTERNAL.host}:${EXTERNAL.port})`, { timeout: 15_000 });
  await expect(line.getByTestId('database-pending')).toHaveCount(0);
  await expect(page.getByTestId('container-row').filter({ hasText: /^db/ })).toContainText('stopped (not used)');
  await screenshots(testInfo, 'overview-external');

  await gotoHydrated(page, '/settings/database');
  await expect(page.getByTestId('bundled-db-state')).toContainText(`stopped (not used); its data is kept in the volume ${id}_db-data`);
  await page.getByRole('button', { name: 'Remove the bundled database volume' }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove the bundled database volume?' });
  const confirm = dialog.getByRole('button', { name: 'Remove the volume' });
  await dialog.getByLabel(`Type ${id}_db-data to confirm`).fill(`${id}_db`);
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(`Type ${id}_db-data to confirm`).fill(`${id}_db-data`);
  await confirm.click();
  await expect(page.getByTestId('bundled-db-state')).toContainText(`the volume ${id}_db-data does not exist`, { timeout: 30_000 });
  await expect(docker(['volume', 'inspect', `${id}_db-data`])).rejects.toThrow();
});
