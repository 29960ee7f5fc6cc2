import type { Browser, Page, TestInfo } from '@playwright/test';
import { signInAsAdmin } from './admin';

// What accessibility.spec.ts checks on every console page, and the page it checks them in. Kept
// apart from the spec so the spec reads as the operator's story and the page list.

export const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
export type Size = keyof typeof SIZES;

/** Far from UTC, with a date format unlike en-US's: a server-side formatted date cannot pass for a client one. */
export const ELSEWHERE = { timezoneId: 'Pacific/Auckland', locale: 'de-DE' };

export type WatchedPage = {
  page: Page;
  /** Every page error and console error, with the URL it came at. */
  errors: string[];
  /** What the browser says about the Permissions-Policy header, at any level. */
  policyMessages: string[];
  close(): Promise<void>;
};

/**
 * A signed-in page at one size, in another time zone and locale than the server (as an operator
 * abroad), recording every page error and console error and every Permissions-Policy message.
 */
export async function watchedPage(browser: Browser, baseURL: string, size: Size, label: string): Promise<WatchedPage> {
  const context = await browser.newContext({ baseURL, viewport: SIZES[size], ...ELSEWHERE });
  const page = await context.newPage();
  const errors: string[] = [];
  const policyMessages: string[] = [];
  page.on('pageerror', (err) => errors.push(`${page.url()} pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // Chromium names each feature of the header it does not know (once "bluetooth") on every page.
    if (/permissions-policy/i.test(msg.text())) policyMessages.push(`${page.url()} ${msg.type()}: ${msg.text()}`);
    if (msg.type() !== 'error') return;
    // Chromium aborts requests in flight when a network interface comes or goes, which Docker does
    // on a shared test host whenever any test starts or removes a container: not the console's error.
    if (msg.text() === 'Failed to load resource: net::ERR_NETWORK_CHANGED') return console.log(`[${label}] ignored at ${page.url()}: ${msg.text()}`);
    errors.push(`${page.url()} console.error: ${msg.text()}`);
  });
  await signInAsAdmin(page, baseURL);
  return { page, errors, policyMessages, close: () => context.close() };
}

/** A full-page screenshot in the test's output, attached to its report. */
export async function artifact(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

/** What sticks out to the right of the viewport: empty when the page fits the screen's width. */
export async function overflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const scroll = document.scrollingElement!.scrollWidth;
    if (scroll <= width) return [];
    // The outermost elements that reach past the edge, to say what to fix.
    const wide = [...document.querySelectorAll<HTMLElement>('body *')].filter((el) => el.getBoundingClientRect().right > width + 0.5);
    const outermost = wide.filter((el) => !wide.includes(el.parentElement!)).slice(0, 5);
    const name = (el: HTMLElement) => `${el.tagName.toLowerCase()}${el.dataset.testid ? `[data-testid=${el.dataset.testid}]` : ''}.${[...el.classList].slice(0, 3).join('.')} (right ${Math.round(el.getBoundingClientRect().right)})`;
    return [`scrollWidth ${scroll} > innerWidth ${width}: ${outermost.map(name).join('; ')}`];
  });
}

/** One Tab stop: whether the element the keyboard reached draws a focus indicator, and its name. */
type Stop = { shown: boolean; name: string };

/**
 * Tabs through the page from its top until the focus leaves it (or `max` stops): every element the
 * keyboard reaches must draw a focus indicator (an outline or a ring). Returns those that do not,
 * and how many stops there were.
 *
 * The page notes each stop itself, on the Tab's keyup (after the focus moved, as a test reading
 * document.activeElement after each press would), and the Tabs go to Chromium in batches over one
 * CDP session: one round trip per batch instead of three per stop, which made this walk most of the
 * accessibility spec's time on a loaded machine (~400 stops at desktop size). The style checked
 * (outline style and width, box-shadow) has no transition in the console's CSS, so reading it at
 * keyup sees what the eye sees. Tabs after the focus left the page are pressed but not noted.
 */
export async function focusWithoutIndicator(page: Page, max = 120): Promise<{ stops: number; missing: string[] }> {
  await page.evaluate((limit) => {
    (document.activeElement as HTMLElement | null)?.blur();
    const walk = { stops: [] as Stop[], done: false };
    (window as unknown as { __focusWalk: typeof walk }).__focusWalk = walk;
    window.addEventListener('keyup', (event) => {
      if (event.key !== 'Tab' || walk.done) return;
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body || walk.stops.length >= limit) {
        walk.done = true;
        return;
      }
      const s = getComputedStyle(el);
      const shown = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
      walk.stops.push({ shown, name: `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)}"` });
    }, { capture: true });
  }, max);
  const cdp = await page.context().newCDPSession(page);
  try {
    // What Playwright's keyboard.press('Tab') sends; CDP runs a session's commands in order.
    const tab = { key: 'Tab', code: 'Tab', windowsVirtualKeyCode: 9, nativeVirtualKeyCode: 9 };
    const BATCH = 10;
    for (let pressed = 0; pressed <= max; pressed += BATCH) {
      await Promise.all(
        Array.from({ length: BATCH }, () => [
          cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', ...tab }),
          cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...tab }),
        ]).flat(),
      );
      if (await page.evaluate(() => (window as unknown as { __focusWalk: { done: boolean } }).__focusWalk.done)) break;
    }
  } finally {
    await cdp.detach();
  }
  const stops = await page.evaluate(() => (window as unknown as { __focusWalk: { stops: Stop[] } }).__focusWalk.stops);
  return { stops: stops.length, missing: stops.filter((s) => !s.shown).map((s) => s.name) };
}
