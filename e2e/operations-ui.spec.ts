import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { createDeployment, type Deployment } from './fixtures/deployment';
import { ensureFixtureImages } from './fixtures/fixture-images';
import { pushImages, startRegistry, type Registry } from './fixtures/registry';
import { GOOD_VERSION, SERVICES } from './fixtures/versions';
import { signInAsAdmin } from './support/admin';
import { e2eDataDir } from './support/paths';

// A deploy started and watched in the browser, on the real engine with the stand-in images. The
// console under test reads the deployment directory inside its data directory.

let registry: Registry;
let deployment: Deployment;
const deployDir = path.join(e2eDataDir, 'deploy');

test.beforeAll(async () => {
  test.setTimeout(300_000);
  await ensureFixtureImages();
  registry = await startRegistry();
  await pushImages(registry, SERVICES.map((service) => ({ service, version: GOOD_VERSION })));
  deployment = await createDeployment({ prefix: 'e2e-ops', registry: registry.host, extraEnv: { DRAIN_TIMEOUT: '5', STANDIN_LOG_RATE: '20' } });
  fs.mkdirSync(deployDir, { recursive: true });
  for (const f of ['tale.json', '.env']) fs.copyFileSync(path.join(deployment.dir, f), path.join(deployDir, f));
});

test.afterAll(async () => {
  await deployment?.dispose();
  await registry?.stop();
  for (const f of ['tale.json', '.env']) fs.rmSync(path.join(deployDir, f), { force: true });
  fs.rmSync(path.join(deployDir, '.tale'), { recursive: true, force: true });
});

test('dry run, then a confirmed deploy with its live timeline and the new colour’s logs beside it', async ({ page, baseURL }) => {
  test.setTimeout(300_000);
  await signInAsAdmin(page, baseURL!);
  await page.goto('/deployments');
  await page.getByLabel('Version').fill(GOOD_VERSION);

  // The dry run shows the plan and changes nothing.
  await page.getByRole('button', { name: 'Dry run' }).click();
  await expect(page).toHaveURL(/\/deployments\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('operation-status')).toHaveText('succeeded', { timeout: 60_000 });
  await page.getByText('Result').click();
  await expect(page.getByText(`${deployment.id}-platform-blue`).first()).toBeVisible();

  await page.goto('/deployments');
  await page.getByLabel('Version').fill(GOOD_VERSION);
  await page.getByRole('button', { name: `Deploy ${GOOD_VERSION}` }).click();
  await expect(page.getByRole('dialog')).toContainText('The live colour keeps serving');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/deployments\/[0-9a-f-]{36}$/);

  // While the new colour starts, its platform's log is shown beside the timeline.
  const logs = page.getByTestId('target-logs');
  await expect(logs).toBeVisible({ timeout: 180_000 });
  await expect(logs.getByTestId('log-line').first()).toBeVisible({ timeout: 60_000 });

  // A reload mid-run replays the whole timeline.
  await page.reload();
  await expect(page.getByTestId('timeline')).toContainText('resolve');
  await expect(page.getByTestId('operation-status')).toHaveText('succeeded', { timeout: 180_000 });
  await expect(page.getByTestId('timeline')).toContainText('switch');

  await page.goto('/');
  await expect(page.getByTestId('live-release')).toContainText(`blue version ${GOOD_VERSION}`);
});
