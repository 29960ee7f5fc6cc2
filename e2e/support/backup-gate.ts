import { expect, type Locator, type Page } from '@playwright/test';

// The backup gate (docs/backups.md#the-backup-gate) as the browser specs meet it: a version change
// takes a backup first, refused while no repository exists unless skipped with a reason.

export const SKIP_REASON = 'the backup gate has its own test';

/**
 * Types a reason into the deploy dialog's "Skip the backup" disclosure (already open while no
 * repository exists), so the start goes ahead without the gate's backup.
 */
export async function skipBackupInDialog(dialog: Locator, reason = SKIP_REASON): Promise<void> {
  const field = dialog.getByLabel('Why this one goes without a backup');
  if (!(await field.isVisible())) await dialog.getByText('Skip the backup', { exact: true }).click();
  await field.fill(reason);
}

/**
 * Takes the first backup as the signed-in admin when the shared console has none yet (a spec run
 * on its own), so the gate can back up before an upgrade. True when it took one (a history row).
 */
export async function ensureBackupRepository(page: Page, origin: string): Promise<boolean> {
  const list = await page.request.get('/api/v1/backups');
  expect(list.status()).toBe(200);
  if (((await list.json()) as { repository: { initialised: boolean } }).repository.initialised) return false;
  const started = await page.request.post('/api/v1/backups', { data: {}, headers: { Origin: origin } });
  expect(started.status(), await started.text()).toBe(202);
  const { id } = (await started.json()) as { id: string };
  await expect
    .poll(async () => ((await (await page.request.get(`/api/v1/operations/${id}`)).json()) as { status: string }).status, { timeout: 120_000 })
    .toBe('succeeded');
  return true;
}
