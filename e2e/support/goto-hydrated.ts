import type { Page } from '@playwright/test';

const hydrated = (page: Page) => page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 30_000 });

/**
 * The wait for React's hydration of the page now loaded (components/ui/hydration-mark.tsx): until
 * then a click on a client component's button does nothing (no handler yet), which a test reads as a
 * broken button. One reload when it does not come: Chromium drops a page's in-flight script
 * requests with net::ERR_NETWORK_CHANGED whenever Docker adds or removes a network interface on
 * this shared host, which the integration tests beside the specs do all the time. A page that
 * never hydrates still fails, on the second load.
 */
export async function waitForHydration(page: Page): Promise<void> {
  try {
    await hydrated(page);
  } catch {
    process.stderr.write(`[waitForHydration] ${page.url()} did not hydrate in 30 s; loading it once more\n`);
    await page.reload();
    await hydrated(page);
  }
}

/**
 * A full page load of `url`, then waitForHydration. The same dropped network can fail the document
 * request itself (page.goto throws net::ERR_NETWORK_CHANGED): that load is made once more.
 */
export async function gotoHydrated(page: Page, url: string): Promise<void> {
  await page.goto(url).catch(async (err: Error) => {
    if (!err.message.includes('ERR_NETWORK_CHANGED')) throw err;
    process.stderr.write(`[gotoHydrated] ${url}: ERR_NETWORK_CHANGED; loading it once more\n`);
    await page.goto(url);
  });
  await waitForHydration(page);
}
