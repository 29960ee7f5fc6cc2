import type { Page } from '@playwright/test';

const hydrated = (page: Page) => page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 30_000 });

/**
 * A full page load, then the wait for React's hydration (components/ui/hydration-mark.tsx). One
 * reload when it does not come: Chromium drops a page's in-flight script requests with
 * net::ERR_NETWORK_CHANGED whenever Docker adds or removes a network interface on this shared
 * host, which the integration tests beside the specs do all the time. A page that never hydrates
 * still fails, on the second load.
 */
export async function gotoHydrated(page: Page, url: string): Promise<void> {
  await page.goto(url);
  try {
    await hydrated(page);
  } catch {
    process.stderr.write(`[gotoHydrated] ${url} did not hydrate in 30 s; loading it once more\n`);
    await page.goto(url);
    await hydrated(page);
  }
}
