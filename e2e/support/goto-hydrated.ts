import type { Page } from '@playwright/test';

/** A full page load, then the wait for React's hydration (components/ui/hydration-mark.tsx). */
export async function gotoHydrated(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 30_000 });
}
