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

/** What Chromium reports when Docker's interface churn cut a navigation (see waitForHydration). */
const networkChanged = (err: Error) =>
  err.message.includes('ERR_NETWORK_CHANGED') || err.message.includes('chrome-error://chromewebdata');

const NAVIGATION_ATTEMPTS = 4;

/**
 * A full page load of `url`, then waitForHydration. The same dropped network can fail the document
 * request itself: page.goto throws net::ERR_NETWORK_CHANGED, or, when the change lands during the
 * load, "interrupted by another navigation to chrome-error://chromewebdata/". Several Docker
 * scenarios beside the specs can change interfaces a few times within a second, so a second load
 * can be cut too (seen in CI): up to four loads, a second apart. Any other error fails at once.
 */
export async function gotoHydrated(page: Page, url: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await page.goto(url);
      break;
    } catch (err) {
      if (!(err instanceof Error) || !networkChanged(err) || attempt === NAVIGATION_ATTEMPTS) throw err;
      process.stderr.write(`[gotoHydrated] ${url}: the network changed during load ${attempt}; loading it again\n`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  await waitForHydration(page);
}
