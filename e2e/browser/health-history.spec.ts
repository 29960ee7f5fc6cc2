import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { HealthHistoryDto } from '@/lib/dto/health';
import { createDeployment, type Deployment } from '../fixtures/deployment';
import { ensureFixtureImages } from '../fixtures/fixture-images';
import { docker } from '../fixtures/run-command';
import { signInAsAdmin } from '../support/admin';
import { seriousViolations } from '../support/axe';
import { consoleDeployDir } from '../support/console-deployment';
import { gotoHydrated } from '../support/goto-hydrated';
import { makeUnhealthy, startWatchedStandIns, type WatchedStandIns } from '../support/watched-stand-ins';

// The overview's health history in the browser (issue #19): two of a project's containers (stand-ins
// labelled as the live blue colour, no deploy needed), one killed and one made unhealthy; the
// uptime bars, the CPU and memory charts and the incident list show it, and an incident's link
// opens the logs at that moment. The shared console's history holds earlier specs' projects too:
// every assertion names this project's containers.

const FILES = ['tale.json', '.env'];
let deployment: Deployment;
let names: WatchedStandIns;
let page: Page;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser, baseURL }) => {
  test.setTimeout(240_000);
  await ensureFixtureImages();
  deployment = await createDeployment({ prefix: 'hw-spec' });
  fs.mkdirSync(consoleDeployDir, { recursive: true });
  for (const f of FILES) fs.copyFileSync(path.join(deployment.dir, f), path.join(consoleDeployDir, f));
  names = await startWatchedStandIns(deployment, consoleDeployDir);
  page = await (await browser.newContext({ baseURL, viewport: { width: 1280, height: 900 } })).newPage();
  await signInAsAdmin(page, baseURL!);
});

test.afterAll(async () => {
  await page?.context().close();
  await deployment?.dispose();
  for (const f of FILES) fs.rmSync(path.join(consoleDeployDir, f), { force: true });
  fs.rmSync(path.join(consoleDeployDir, '.tale'), { recursive: true, force: true });
});

/** Waits (through the API the overview polls) until the history holds what `ok` looks for. */
async function historyUntil(ok: (h: HealthHistoryDto) => boolean): Promise<void> {
  await expect
    .poll(async () => ok((await (await page.request.get('/api/v1/health/history?range=1h')).json()) as HealthHistoryDto), { timeout: 90_000, intervals: [1000] })
    .toBe(true);
}

test('a killed and an unhealthy container show in the uptime bars, the charts and the incident list', async ({}, testInfo) => {
  test.setTimeout(180_000);
  // The watcher picks up the new project within a sampling interval and reads CPU and memory.
  await historyUntil((h) => h.series.points.some((p) => p.memory.platform !== null) && h.watcher.listening);
  // The samples above may be an earlier spec's project (the console is shared): an incident naming
  // this project's container is what proves the watcher follows this one before rag is killed.
  await makeUnhealthy(names.platform);
  await historyUntil((h) => h.incidents.some((i) => i.container === names.platform && i.state === 'unhealthy'));
  await docker(['kill', names.rag]);
  await historyUntil((h) => h.incidents.some((i) => i.container === names.rag && i.kind === 'kill'));

  await gotoHydrated(page, '/');
  const section = page.getByRole('region', { name: 'Health history' });
  await expect(section.getByRole('img', { name: /^rag: .* up in the last 24 hours; down [0-9]+ min/ })).toBeVisible();
  await expect(section.getByTestId('uptime-rag').locator('[data-state="down"]').last()).toBeVisible();
  // The cell's colour is its worst state (an earlier spec's outage in the same half hour outranks
  // this one); its tooltip names every state it held.
  await expect(section.getByTestId('uptime-platform').locator('span').last()).toHaveAttribute('title', /unhealthy [0-9]+ (s|min)/);
  const killed = section.getByTestId('incident').filter({ hasText: `${names.rag} was killed by SIGKILL (exit code 137)` });
  await expect(killed).toHaveCount(1);
  await expect(section.getByTestId('incident').filter({ hasText: `${names.platform} became unhealthy` })).toHaveCount(1);
  // The charts draw a series per service with readings (recharts' SVG), 10 s points on the 1 h range.
  await section.getByRole('button', { name: 'Last 1 hour' }).click();
  await expect(section.getByRole('button', { name: 'Last 1 hour' })).toHaveAttribute('aria-pressed', 'true');
  await expect(section.getByRole('heading', { name: 'Incidents, last 1 hour' })).toBeVisible();
  for (const chart of ['chart-memory', 'chart-cpu']) {
    await expect(section.getByTestId(chart).locator('.recharts-line-dots circle').first()).toBeVisible();
    await expect(section.getByTestId(chart).locator('.recharts-legend-item-text', { hasText: 'platform' })).toBeVisible();
  }

  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    // The accessibility spec's check (axe-core, WCAG A and AA) of the section, with the history filled in.
    expect(await seriousViolations(page, { include: 'section[aria-labelledby="health-history"]' })).toEqual([]);
    const charts = testInfo.outputPath(`health-history-charts-${scheme}.png`);
    await section.screenshot({ path: charts });
    await testInfo.attach(`health-history-charts-${scheme}`, { path: charts, contentType: 'image/png' });
    const list = testInfo.outputPath(`health-history-incidents-${scheme}.png`);
    await section.getByRole('table').screenshot({ path: list });
    await testInfo.attach(`health-history-incidents-${scheme}`, { path: list, contentType: 'image/png' });
  }
  await page.emulateMedia({ colorScheme: null });

  // The incident's link opens the logs of that container around that moment.
  await killed.getByRole('link').click();
  await expect(page).toHaveURL(/\/logs\?service=rag&since=[^&]+&until=[^&]+&color=blue/);
  await expect(page.getByLabel('Until')).toHaveValue(/^\d{4}-\d\d-\d\dT/);
  await expect(page.getByLabel('Since')).toHaveValue(/^\d{4}-\d\d-\d\dT/);
});
