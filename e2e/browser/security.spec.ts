import { expect, test, type Page } from '@playwright/test';
import { totpAt, totpStep } from '@/server/auth/totp';
import { addViewerThroughUi, signInAsAdmin } from '../support/admin';
import { gotoHydrated } from '../support/goto-hydrated';

// The strict Content-Security-Policy in a real browser: every console page renders and hydrates
// (client components answer clicks, server actions run, SSE streams open) without one violation;
// and two-step sign-in end to end through the forms.

/** Records every CSP violation the page reports, from before its first script runs. */
async function watchCsp(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeFunction('__reportCsp', (v: string) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __reportCsp: (v: string) => void }).__reportCsp(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text());
  });
  return violations;
}

// Many full page loads, each asking the Docker Engine; a busy shared host needs more than the default.
test.describe.configure({ timeout: 180_000 });

test('every console page renders and hydrates under the CSP without a violation', async ({ page, baseURL }) => {
  const violations = await watchCsp(page);
  await signInAsAdmin(page, baseURL!);
  for (const path of ['/', '/deployments', '/logs', '/settings', '/audit', '/users', '/two-factor']) {
    const res = await page.goto(path);
    expect(res?.headers()['content-security-policy'], path).toContain("'strict-dynamic'");
  }
  // Hydrated: a client component opens a dialog on click, and a server action answers.
  await gotoHydrated(page, '/users');
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await gotoHydrated(page, '/two-factor');
  await page.getByRole('button', { name: 'Set up two-step sign-in' }).click();
  await expect(page.getByTestId('totp-secret')).toHaveText(/^[A-Z2-7]{32}$/);
  // The log viewer's live stream (EventSource) and its positioned rows.
  await gotoHydrated(page, '/logs');
  await page.waitForTimeout(1000);
  expect(violations).toEqual([]);
});

test('a user enrols two-step sign-in and then signs in with a code', async ({ browser, baseURL }) => {
  const admin = await browser.newPage();
  await signInAsAdmin(admin, baseURL!);
  const email = `totp-${Date.now()}@example.com`;
  await addViewerThroughUi(admin, { name: 'Otto', email, password: 'otto-password-123' });

  const page = await browser.newPage();
  const violations = await watchCsp(page);
  const submit = async (code?: string) => {
    await gotoHydrated(page, '/login');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('otto-password-123');
    // The code field is always offered: the form never learns that this password was right.
    if (code) await page.getByLabel('Code from your authenticator app').fill(code);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  const signIn = async (code?: string) => {
    await submit(code);
    // The overview asks the Docker Engine before it answers, which takes a while on a busy host.
    await expect(page).toHaveURL(/\/$/, { timeout: 30_000 });
  };
  await signIn();
  await page.getByRole('link', { name: 'Account & security' }).click();
  await page.getByRole('button', { name: 'Set up two-step sign-in' }).click();
  const secret = (await page.getByTestId('totp-secret').textContent())!;
  await page.getByLabel('Code from the app').fill(totpAt(secret, totpStep(Date.now())));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await expect(page.getByText('Two-step sign-in is on')).toBeVisible();

  await page.context().clearCookies();
  // The right password without the code gets the answer a wrong password gets.
  await submit();
  await expect(page.getByText('Incorrect email, password or code, or the account is disabled or locked for a while.')).toBeVisible();
  await signIn(totpAt(secret, totpStep(Date.now()) + 1));
  expect(violations).toEqual([]);

  // The admin sees it on and can reset it.
  await admin.reload();
  const row = admin.getByRole('row').filter({ hasText: email });
  await row.getByRole('button', { name: 'Reset two-step' }).click();
  await admin.getByRole('dialog').getByRole('button', { name: 'Reset' }).click();
  await expect(row.getByRole('button', { name: 'Reset two-step' })).toHaveCount(0);
});
