import { expect as baseExpect, test, type APIRequestContext, type Page, type TestInfo } from '@playwright/test';
import type { EnvironmentDto } from '@/lib/dto/environments';
import type { OperationDto } from '@/lib/dto/operations';
import { createDeployment, type Deployment } from '../fixtures/deployment';
import { ensureFixtureImages } from '../fixtures/fixture-images';
import { pushImages, startRegistry, type Registry } from '../fixtures/registry';
import { startRemoteHost, type RemoteHost } from '../fixtures/remote-host';
import { runCommand } from '../fixtures/run-command';
import { GOOD_VERSION, SERVICES } from '../fixtures/versions';
import { signInAsAdmin } from '../support/admin';
import { gotoHydrated } from '../support/goto-hydrated';
import { publishProxyOnLoopback } from '../support/loopback-proxy';

// Issue #21 in the browser: add an environment through /environments (scan, confirm the host key
// shown), deploy to it from its own deployments page (?env=<id>), then promote its release to a
// second environment on the same remote host (another project id and directory) from that one's
// deployments page, and the fleet view with both. The shared console's local environment is left
// alone; both environments are removed at the end. Promotion by digest after a moved tag is
// measured in e2e/integration/promotion.integration.test.ts.

const expect = baseExpect.configure({ timeout: 30_000 });

let registry: Registry;
let host: RemoteHost;
let first: Deployment;
let second: Deployment;
const ids: string[] = [];

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(600_000);
  await ensureFixtureImages();
  registry = await startRegistry();
  await pushImages(registry, SERVICES.map((service) => ({ service, version: GOOD_VERSION })));
  host = await startRemoteHost({ id: 't6prb' });
  for (const prefix of ['t6pr-b1', 't6pr-b2']) {
    const d = await createDeployment({ registry: registry.host, prefix, extraEnv: { HEALTH_CHECK_TIMEOUT: '150', DRAIN_TIMEOUT: '2' } });
    await publishProxyOnLoopback(d.dir);
    await runCommand('chown', ['-R', `${host.ssh.user}:${host.ssh.user}`, d.dir]);
    if (!first) first = d;
    else second = d;
  }
});

test.afterAll(async () => {
  test.setTimeout(180_000);
  await host?.dispose();
  await first?.dispose();
  await second?.dispose();
  await registry?.stop();
});

/** The shared console keeps no environment of this spec: removed with the signed-in page's request. */
async function removeEnvironments(request: APIRequestContext, baseURL: string): Promise<void> {
  const list = (await (await request.get(`${baseURL}/api/v1/environments`)).json()) as { environments?: EnvironmentDto[] };
  for (const id of ids) {
    const name = list.environments?.find((e) => e.id === id)?.name;
    if (name) expect((await request.delete(`${baseURL}/api/v1/environments/${id}`, { data: { confirmName: name }, headers: { Origin: baseURL } })).status()).toBe(204);
  }
}

async function artifact(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

async function environmentId(request: APIRequestContext, baseURL: string, name: string): Promise<string> {
  const list = (await (await request.get(`${baseURL}/api/v1/environments`)).json()) as { environments: EnvironmentDto[] };
  const found = list.environments.find((e) => e.name === name);
  if (!found) throw new Error(`no environment named ${name}`);
  return found.id;
}

/** An operation of environment `env` once it has ended (the API answers an operation only in its own environment). */
async function finished(request: APIRequestContext, baseURL: string, id: string, env: string): Promise<OperationDto> {
  const url = `${baseURL}/api/v1/operations/${id}?env=${env}`;
  await expect.poll(async () => ((await (await request.get(url)).json()) as OperationDto).status, { timeout: 400_000, intervals: [2000] }).not.toBe('running');
  return (await (await request.get(url)).json()) as OperationDto;
}

async function addThroughUi(page: Page, name: string, dir: string, testInfo: TestInfo | null): Promise<void> {
  await gotoHydrated(page, '/environments');
  await page.getByTestId('environment-add').click();
  const form = page.getByTestId('environment-form');
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('SSH endpoint').fill(`ssh://${host.ssh.user}@${host.ssh.host}:${host.ssh.port}`);
  await form.getByLabel('Deployment directory on the host').fill(dir);
  await form.getByLabel('Private key').fill(host.privateKey);
  await form.getByRole('button', { name: 'Check the host' }).click();
  // The fingerprint shown is the host's own, before anything is saved.
  await expect(form.getByTestId('environment-host-key')).toContainText(await host.hostKeyFingerprint(), { timeout: 60_000 });
  if (testInfo) await artifact(page, testInfo, 'environment-host-key');
  await form.getByRole('button', { name: 'Confirm host key and add' }).click();
  await expect(form).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByRole('cell', { name, exact: true })).toBeVisible();
}

test('add an environment, confirm its host key, deploy to it, promote to another, and the fleet view', async ({ page, baseURL }, testInfo) => {
  test.setTimeout(900_000);
  await signInAsAdmin(page, baseURL!);
  try {
    await walkThrough(page, baseURL!, testInfo);
  } finally {
    await removeEnvironments(page.request, baseURL!);
  }
});

async function walkThrough(page: Page, baseURL: string, testInfo: TestInfo): Promise<void> {
  await addThroughUi(page, 't6pr staging', first.dir, testInfo);
  const staging = await environmentId(page.request, baseURL, 't6pr staging');
  ids.push(staging);
  await addThroughUi(page, 't6pr production', second.dir, null);
  const production = await environmentId(page.request, baseURL, 't6pr production');
  ids.push(production);

  // Deploy to the first from its own deployments page.
  let t0 = Date.now();
  await gotoHydrated(page, `/deployments?env=${staging}`);
  await page.getByLabel('Version').selectOption(GOOD_VERSION);
  await page.getByRole('button', { name: `Review deploy of ${GOOD_VERSION}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: `Deploy ${GOOD_VERSION}` }).click();
  await expect(page).toHaveURL(/\/deployments\/[0-9a-f-]{36}/, { timeout: 60_000 });
  const deployId = /\/deployments\/([0-9a-f-]{36})/.exec(page.url())![1]!;
  expect((await finished(page.request, baseURL, deployId, staging)).status).toBe('succeeded');
  console.log(`environments spec: deploy to ${staging} in ${Date.now() - t0} ms`);

  // Promote it to the second from that one's deployments page.
  t0 = Date.now();
  await gotoHydrated(page, `/deployments?env=${production}`);
  await page.getByTestId('promote-open').click();
  const dialog = page.getByTestId('promote-dialog');
  await expect(dialog.getByLabel('From environment').locator('option', { hasText: `t6pr staging: ${GOOD_VERSION}` })).toHaveCount(1, { timeout: 60_000 });
  await dialog.getByLabel('From environment').selectOption(staging);
  const preview = dialog.getByTestId('promote-preview');
  await expect(preview).toContainText(`runs ${GOOD_VERSION}`, { timeout: 60_000 });
  await expect(dialog.getByTestId('promote-digests')).toContainText('platform sha256:');
  // Each project has its own secrets: shown as differing, never as values.
  await expect(dialog.getByTestId('promote-env')).toContainText('BETTER_AUTH_SECRET');
  await expect(dialog.getByTestId('promote-env')).toContainText('differs');
  await artifact(page, testInfo, 'promote-dialog');
  await dialog.getByRole('button', { name: 'Promote', exact: true }).click();
  await expect(page).toHaveURL(/\/deployments\/[0-9a-f-]{36}/, { timeout: 60_000 });
  const promoteId = /\/deployments\/([0-9a-f-]{36})/.exec(page.url())![1]!;
  const op = await finished(page.request, baseURL, promoteId, production);
  expect(op).toMatchObject({ kind: 'promote', status: 'succeeded', params: { from: staging, version: GOOD_VERSION } });
  console.log(`environments spec: promote ${staging} → ${production} in ${Date.now() - t0} ms`);

  // The destination's own page says what is live there now.
  await gotoHydrated(page, `/deployments?env=${production}`);
  await expect(page.getByText(`Live: blue, version ${GOOD_VERSION}.`)).toBeVisible();
  await expect(page.getByTestId('history-purpose').first()).toHaveText(`Promote ${GOOD_VERSION} from t6pr staging`);

  // The fleet view with both. A remote card shows its runtime's last read of the host (at most
  // 15 s old, its age in words; docs/environments.md#fleet), so the page is reloaded until each
  // card is a read that sees the release: reachable, the promoted version live on blue.
  await gotoHydrated(page, '/fleet');
  for (const id of [staging, production]) {
    const card = page.locator(`[data-testid="fleet-card"][data-environment="${id}"]`);
    await expect(async () => {
      await page.reload();
      await baseExpect(card).toHaveAttribute('data-reachable', 'true', { timeout: 2_000 });
      await baseExpect(card).toContainText(`Live: ${GOOD_VERSION} (blue)`, { timeout: 2_000 });
    }).toPass({ timeout: 60_000 });
    await expect(card.getByTestId('fleet-age')).toHaveText(/^read (just now|\d+ s ago) · \d+ ms$/);
  }
  await artifact(page, testInfo, 'fleet');
}
