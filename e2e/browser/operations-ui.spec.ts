import { createHash } from 'node:crypto';
import { expect as baseExpect, test, type Page, type TestInfo } from '@playwright/test';
import type { Deployment } from '../fixtures/deployment';
import { httpGet, waitForUrl } from '../fixtures/http-get';
import { runLoad } from '../fixtures/load';
import { pushImages, type Registry } from '../fixtures/registry';
import { EXITS_VERSION, GOOD_VERSION, NEVER_HEALTHY_VERSION, NEXT_VERSION, SERVICES, SLOW_VERSION } from '../fixtures/versions';
import { signInAsAdmin } from '../support/admin';
import { ensureBackupRepository, skipBackupInDialog } from '../support/backup-gate';
import { prepareConsoleDeployment, type ConsoleDeployment } from '../support/console-deployment';
import { gotoHydrated } from '../support/goto-hydrated';

// The console's operations driven in the browser, on the real engine with the stand-in images: the
// first deploy of an empty project, a one-click upgrade under load, a rollback, a broken release,
// and the typed confirmations of cleanup and reset. The console under test reads the deployment
// directory inside its data directory; the proxy publishes on free loopback ports.

// Every step here waits on Docker; on a shared CI machine a render or an action can take seconds.
const expect = baseExpect.configure({ timeout: 30_000 });

let bed: ConsoleDeployment;
let registry: Registry;
let deployment: Deployment;
let siteUrl: string;

test.describe.configure({ mode: 'serial' });

/** History rows other specs left on the shared console before this one ran. */
let historyBefore = 0;
/** The first backup this spec took itself (run on its own, no repository yet): one more history row. */
let ownFirstBackup = 0;

test.beforeAll(async () => {
  test.setTimeout(300_000);
  // 1.0.0 and 1.1.0 complete; the never-healthy tag only for the platform: a release still being pushed.
  bed = await prepareConsoleDeployment(
    [...[GOOD_VERSION, NEXT_VERSION].flatMap((version) => SERVICES.map((service) => ({ service, version }))), { service: 'platform', version: NEVER_HEALTHY_VERSION }],
    { prefix: 'e2e-ops', extraEnv: { DRAIN_TIMEOUT: '5', STANDIN_LOG_RATE: '20' } },
  );
  ({ registry, deployment } = bed);
  const { http } = bed.ports;
  siteUrl = `http://127.0.0.1:${http}/`;
});

test.afterAll(async () => {
  await bed?.dispose();
});

test.beforeEach(async ({ page, baseURL }) => {
  await signInAsAdmin(page, baseURL!);
});

async function artifact(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

const live = async () => (await httpGet(siteUrl, { host: 'localhost' })).headers['x-tale-version'];

/** Every row's phase label ends before its sentence starts and shows whole (issue #20: "infrastructure" ran into the status column). */
async function labelsFit(page: Page): Promise<void> {
  const overlaps = await page.getByTestId('timeline-row').evaluateAll((rows) =>
    rows.flatMap((row) => {
      const label = row.querySelector('[data-testid="timeline-phase"]') as HTMLElement;
      const text = row.querySelector('[data-testid="timeline-text"]') as HTMLElement;
      const fits = label.scrollWidth <= label.clientWidth && label.getBoundingClientRect().right <= text.getBoundingClientRect().left;
      return fits ? [] : [`${label.textContent} | ${text.textContent}`];
    }),
  );
  expect(overlaps).toEqual([]);
}

test('first deploy of an empty project, reviewed and followed live, with a reload mid-run', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  await gotoHydrated(page, '/deployments');
  // The specs share one console, and those before this one may have left operations in its history.
  historyBefore = await page.getByTestId('history-row').count();
  const picker = page.getByLabel('Version');
  // Newest first; the tag that lacks five of the six images cannot be chosen.
  await expect(picker.locator('option')).toHaveText([`${NEVER_HEALTHY_VERSION} (unavailable)`, NEXT_VERSION, GOOD_VERSION]);
  await expect(picker.locator('option', { hasText: 'unavailable' })).toBeDisabled();
  await picker.selectOption(GOOD_VERSION);

  await page.getByRole('button', { name: `Review deploy of ${GOOD_VERSION}` }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('plan-review')).toContainText(`create ${deployment.id}-platform-blue`);
  await expect(dialog.getByTestId('schema-warning')).toHaveCount(0);
  await dialog.getByRole('button', { name: `Deploy ${GOOD_VERSION}` }).click();
  await expect(page).toHaveURL(/\/deployments\/[0-9a-f-]{36}$/);

  // While the new colour starts, its platform's log is shown beside the timeline.
  const logs = page.getByTestId('target-logs');
  await expect(logs).toBeVisible({ timeout: 180_000 });
  await expect(logs.getByTestId('log-line').first()).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('pull-progress')).toContainText('pulled');
  await artifact(page, testInfo, 'timeline-mid-deploy');

  // A reload mid-run replays the whole timeline.
  await page.reload();
  const timeline = page.getByTestId('timeline');
  await expect(timeline).toContainText('Taking the deployment lock');
  await expect(page.getByTestId('operation-status')).toHaveText('succeeded', { timeout: 180_000 });
  // Each step a sentence (issue #20), not "stateful progress <name>".
  for (const text of ['Holding the deployment lock', `Every image of ${GOOD_VERSION} is in the registry`, 'Every image is pulled', 'Volumes and network are ready', 'Started the database (db)', 'Traffic goes to the new colour', `${GOOD_VERSION} is live on blue`]) {
    await expect(timeline).toContainText(text);
  }
  // A health wait names what it waited for, how long it took and how long it was allowed.
  await expect(timeline).toContainText(/rag-blue and crawler-blue are healthy after \d+ s \(allowed: \d+ s\)/);
  await expect(timeline).toContainText(/platform-blue is healthy after \d+ s \(allowed: \d+ s\)/);
  // One container's progress is one row that updated (created, then started), not a row per event.
  await expect(page.getByTestId('timeline-row').filter({ hasText: 'the database (db)' })).toHaveCount(1);
  await expect(page.getByTestId('timeline-phase').filter({ hasText: 'Infrastructure' }).first()).toBeVisible();
  await labelsFit(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Deploy ${GOOD_VERSION}`);
  await artifact(page, testInfo, 'timeline-sentences');

  await gotoHydrated(page, '/');
  await expect(page.getByTestId('live-release')).toContainText(`blue version ${GOOD_VERSION}`);
  await expect(page.getByTestId('registry-status')).toContainText('Reachable');
  await expect(page.getByTestId('container-row')).toHaveCount(6);
  // CPU and memory come from Docker's one-shot stats.
  await expect(page.getByTestId('container-row').first()).toContainText(/B( \/|$)/, { timeout: 20_000 });
  await artifact(page, testInfo, 'overview');
  // `tale convex admin` in the browser. The stand-in's generate-admin-key.sh derives its key from
  // INSTANCE_SECRET (e2e/fixtures/standin), so the test knows the one key the console must show.
  const expectedKey = `tale_platform|${createHash('sha256').update(`tale_platform:${deployment.env.INSTANCE_SECRET}`).digest('hex')}`;
  await page.getByRole('button', { name: 'Generate a Convex admin key' }).click();
  const keyPanel = page.getByTestId('convex-admin');
  await expect(keyPanel.getByLabel('Convex admin key')).toHaveValue(expectedKey);
  await expect(keyPanel.getByRole('link', { name: 'the Convex dashboard' })).toHaveAttribute('href', `${deployment.env.SITE_URL}/convex-dashboard`);
  // Shown once: a reload does not bring it back, and the audit trail records the act, not the key.
  await page.reload();
  await expect(page.getByTestId('convex-admin').getByRole('button', { name: 'Generate a Convex admin key' })).toBeVisible();
  await expect(page.getByLabel('Convex admin key')).toHaveCount(0);
  await gotoHydrated(page, '/audit');
  await expect(page.locator('main')).toContainText('convex.admin_key');
  expect(await page.content()).not.toContain(expectedKey.split('|')[1]);
  await gotoHydrated(page, '/');
  await waitForUrl(siteUrl, { host: 'localhost', deadlineMs: 30_000 });
});

test('one-click upgrade under load: the pre-upgrade backup, then the upgrade; no failed request, every step on the timeline', async ({ page, baseURL }) => {
  test.setTimeout(300_000);
  // The backup gate backs up before the version changes: the repository must exist (an admin's first backup).
  ownFirstBackup = (await ensureBackupRepository(page, baseURL!)) ? 1 : 0;
  await gotoHydrated(page, '/');
  const banner = page.getByTestId('upgrade-banner');
  await expect(banner).toContainText(`Version ${NEXT_VERSION} is available`);

  const stop = new AbortController();
  const load = runLoad({ url: siteUrl, host: 'localhost', concurrency: 4, durationMs: 300_000, timeoutMs: 15_000, signal: stop.signal });
  try {
    await banner.getByRole('button', { name: `Upgrade to ${NEXT_VERSION}` }).click();
    await expect(page).toHaveURL(/\/deployments\/[0-9a-f-]{36}$/);
    // Steps appear while the operation runs, not only at the end.
    await expect(page.getByTestId('timeline')).toContainText('Pulling the release’s images', { timeout: 60_000 });
    await expect(page.getByTestId('operation-status')).toHaveText('running');
    await expect(page.getByTestId('operation-status')).toHaveText('succeeded', { timeout: 180_000 });
  } finally {
    stop.abort();
  }
  const summary = await load;
  expect(summary.failed, JSON.stringify(summary.failuresByKind)).toBe(0);
  expect(summary.byVersion[NEXT_VERSION] ?? 0).toBeGreaterThan(0);
  for (const text of ['Holding the deployment lock', 'Backed up before the change', 'Every image is pulled', 'The new colour is healthy', 'Traffic goes to the new colour', 'The old colour is retired', `${NEXT_VERSION} is live on green`]) {
    await expect(page.getByTestId('timeline')).toContainText(text);
  }
  // The purpose follows the operation's end: the version it replaced is known once it ran.
  await expect(page.getByTestId('operation-purpose')).toContainText(`Upgrade ${GOOD_VERSION} → ${NEXT_VERSION}:`);
  // The backup it took is linked from the timeline and listed as pre-upgrade.
  await page.getByTestId('pre-upgrade-backup-link').click();
  await expect(page).toHaveURL(/\/backups#backup-[0-9a-f-]{36}$/);
  await expect(page.locator(`[id="${new URL(page.url()).hash.slice(1)}"]`)).toContainText('pre-upgrade');
  expect(await live()).toBe(NEXT_VERSION);

  // The overview follows by itself.
  await gotoHydrated(page, '/');
  await expect(page.getByTestId('live-release')).toContainText(`green version ${NEXT_VERSION}`);
  await expect(page.getByTestId('upgrade-banner')).toHaveCount(0);
});

test('rollback with its button, behind the schema-compatibility confirmation, the backup skipped with a reason', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  await gotoHydrated(page, '/deployments');
  await page.getByRole('button', { name: `Roll back to ${GOOD_VERSION}` }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('schema-warning')).toContainText('Convex data and indexes are not rolled back');
  await expect(dialog.getByTestId('backup-gate')).toContainText(/A backup is taken first \(about [\d.]+ (B|KiB|MiB|GiB), last one took \d+ s\)/);
  const confirm = dialog.getByRole('button', { name: `Roll back to ${GOOD_VERSION}` });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(/I understand/).check();
  // A reason too short to count holds the confirmation back; a real one skips the backup.
  await skipBackupInDialog(dialog, 'too short');
  await expect(confirm).toBeDisabled();
  await skipBackupInDialog(dialog, 'rolling back the bad 1.1.0 at once');
  await artifact(page, testInfo, 'skip-backup-disclosure');
  await confirm.click();
  await expect(page).toHaveURL(/\/deployments\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('operation-status')).toHaveText('succeeded', { timeout: 150_000 });
  await expect(page.getByTestId('timeline')).toContainText("No backup before the change 1.1.0 → 1.0.0: skipped, reason: rolling back the bad 1.1.0 at once");
  expect(await live()).toBe(GOOD_VERSION);
});

test('a broken release fails with its log lines while the live one keeps serving; the history shows it', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  await pushImages(registry, SERVICES.map((service) => ({ service, version: EXITS_VERSION })));
  await gotoHydrated(page, '/deployments');
  await page.getByLabel('Version').selectOption(EXITS_VERSION);
  await page.getByRole('button', { name: `Review deploy of ${EXITS_VERSION}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: `Deploy ${EXITS_VERSION}` }).click();
  await expect(page).toHaveURL(/\/deployments\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('operation-status')).toHaveText('failed', { timeout: 150_000 });
  await expect(page.getByTestId('operation-error')).toContainText(/CONTAINER_(EXITED|RESTARTED)/);
  await expect(page.getByTestId('failure-logs')).not.toBeEmpty();
  expect(await live()).toBe(GOOD_VERSION);
  const failedUrl = new URL(page.url()).pathname;

  // Issue #19: the release that failed here is marked in the dialog, with a link to the failed
  // deploy, and deploying it again needs a deliberate "retry".
  await gotoHydrated(page, '/deployments');
  await page.getByLabel('Version').selectOption(EXITS_VERSION);
  await expect(page.getByLabel('Version').locator('option', { hasText: EXITS_VERSION })).toHaveText(`${EXITS_VERSION} (failed here)`);
  await expect(page.getByTestId('failed-here-badge').getByRole('link', { name: 'See that deploy' })).toHaveAttribute('href', failedUrl);
  await page.getByRole('button', { name: `Review deploy of ${EXITS_VERSION}` }).click();
  const retryDialog = page.getByRole('dialog');
  await expect(retryDialog.getByTestId('failed-release-warning')).toContainText(`${EXITS_VERSION} already failed its health check on this host`);
  const again = retryDialog.getByRole('button', { name: `Deploy ${EXITS_VERSION}` });
  await expect(again).toBeDisabled();
  await retryDialog.getByLabel('Retry this release on purpose').check();
  await expect(again).toBeEnabled();
  await artifact(page, testInfo, 'retry-failed-release');
  await retryDialog.getByRole('button', { name: 'Cancel' }).click();

  await gotoHydrated(page, '/deployments?kind=deploy&outcome=failed');
  await expect(page.getByTestId('history-row')).toHaveCount(1);
  await expect(page.getByTestId('history-row')).toContainText(EXITS_VERSION);
  await gotoHydrated(page, '/deployments');
  await expect(page.getByTestId('history-row')).toHaveCount(historyBefore + ownFirstBackup + 4);
  // Each row says what the operation was for (issue #20), newest first: ours are the top three.
  await expect(page.getByTestId('history-purpose').first()).toHaveText(`Deploy ${EXITS_VERSION}`);
  await expect(page.getByTestId('history-purpose').nth(1)).toHaveText(`Rollback to ${GOOD_VERSION}`);
  await expect(page.getByTestId('history-purpose').nth(2)).toHaveText(`Upgrade ${GOOD_VERSION} → ${NEXT_VERSION}`);
  await artifact(page, testInfo, 'history');

  // "Deploy this release again" preselects the release in the picker.
  // Newest first: ours is the top rollback row (the accessibility spec rolled back on this console too).
  await page.getByTestId('history-row').filter({ hasText: 'rollback' }).first().getByRole('link', { name: 'Deploy this release again' }).click();
  await expect(page.getByLabel('Version')).toHaveValue(GOOD_VERSION);
});

test('a slow health wait is said while it lasts, with its timeout, then how long it took', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  await pushImages(registry, SERVICES.map((service) => ({ service, version: SLOW_VERSION })));
  await gotoHydrated(page, '/deployments');
  await page.getByLabel('Version').selectOption(SLOW_VERSION);
  await page.getByRole('button', { name: `Review deploy of ${SLOW_VERSION}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: `Deploy ${SLOW_VERSION}` }).click();
  await expect(page).toHaveURL(/\/deployments\/[0-9a-f-]{36}$/);
  // The stand-ins listen only after SLOW_START_SECONDS: the wait is on screen while it lasts.
  const waiting = page.getByTestId('timeline-row').filter({ hasText: /^.*Waiting up to \d+ s for rag-(?:blue|green) and crawler-(?:blue|green) to report healthy…$/ });
  await expect(waiting).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('operation-status')).toHaveText('running');
  await artifact(page, testInfo, 'timeline-health-wait');
  await expect(page.getByTestId('operation-status')).toHaveText('succeeded', { timeout: 180_000 });
  // The same row now says how it ended.
  const ended = page.getByTestId('timeline-row').filter({ hasText: /rag-(?:blue|green) and crawler-(?:blue|green) are healthy after \d+ s \(allowed: \d+ s\)/ });
  await expect(ended).toHaveCount(1);
  console.log(`[operations-ui] slow start: ${await ended.getByTestId('timeline-text').textContent()}`);
  await labelsFit(page);
  await expect(page.getByTestId('operation-purpose')).toContainText(`Upgrade ${GOOD_VERSION} → ${SLOW_VERSION}:`);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Upgrade ${GOOD_VERSION} → ${SLOW_VERSION}`);
});

test('cleanup and reset refuse a wrong project id; reset with volumes needs a second confirmation', async ({ page }) => {
  test.setTimeout(120_000);
  await gotoHydrated(page, '/deployments');
  await page.getByRole('button', { name: 'Clean up inactive colour…' }).click();
  let dialog = page.getByRole('dialog');
  await dialog.getByLabel(/Type the project id/).fill(`${deployment.id}-typo`);
  await dialog.getByRole('button', { name: 'Clean up' }).click();
  await expect(dialog.getByTestId('danger-error')).toContainText('not this project’s id');
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  await page.getByRole('button', { name: 'Reset…' }).click();
  dialog = page.getByRole('dialog');
  await dialog.getByLabel(/Also remove db, proxy and convex/).check();
  await dialog.getByLabel(/Also delete the volumes/).check();
  await dialog.getByLabel(/Type the project id/).fill('someone-else');
  await dialog.getByRole('button', { name: 'Continue' }).click();
  // The second confirmation names every volume and says the data is gone.
  await expect(dialog.getByTestId('volumes-confirmation')).toContainText(`${deployment.id}_db-data`);
  await expect(dialog.getByTestId('volumes-confirmation')).toContainText('gone for good');
  await dialog.getByRole('button', { name: 'Delete the volumes and reset' }).click();
  await expect(dialog.getByTestId('danger-error')).toContainText('not this project’s id');
  expect(await live()).toBe(SLOW_VERSION);

  // The right id resets (containers only): the site goes down on purpose.
  await dialog.getByLabel(/Also remove db, proxy and convex/).uncheck();
  await dialog.getByLabel(/Type the project id/).fill(deployment.id);
  await dialog.getByRole('button', { name: 'Reset' }).click();
  await expect(page).toHaveURL(/\/deployments\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('operation-status')).toHaveText('succeeded', { timeout: 60_000 });
  await gotoHydrated(page, '/');
  await expect(page.getByTestId('live-release')).toContainText('Nothing deployed yet');
});
