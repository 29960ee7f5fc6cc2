import { afterAll, beforeAll, expect, it } from 'vitest';
import { createUser } from '../support/accounts';
import { auditEvents } from '../support/audit';
import { signIn, startConsole, TEST_ADMIN, type RunningConsole } from '../support/console';

// Brute force against the real sign-in endpoint: lockout, audit rows, and recovery.

const LOCKOUT_SECONDS = 4;
let app: RunningConsole;

beforeAll(async () => {
  app = await startConsole({ env: { SIGNIN_MAX_FAILURES: '3', SIGNIN_LOCKOUT_SECONDS: String(LOCKOUT_SECONDS) } });
  await createUser(app.baseURL, app.cookie, { name: 'Victim', email: 'victim@example.com', role: 'viewer', password: 'the-right-password' });
}, 300_000);

afterAll(async () => {
  await app?.stop();
});

const signInAudit = async () => (await auditEvents(app.baseURL, app.cookie, 'auth.sign_in')).filter((e) => e.target === 'victim@example.com');

it('locks an account after repeated failures, audits every attempt, and lets the owner back in later', async () => {
  for (let i = 0; i < 3; i++) expect(await signIn(app.baseURL, 'victim@example.com', `guess-${i}`)).toBeNull();
  // Locked: even the right password is refused, with the same generic answer.
  expect(await signIn(app.baseURL, 'victim@example.com', 'the-right-password')).toBeNull();
  const events = await signInAudit();
  expect(events.map((e) => e.outcome)).toEqual(['denied', 'failure', 'failure', 'failure']);
  expect(events[1]!.message).toContain('now locked out');
  expect(new Set(events.map((e) => e.sourceIp))).toEqual(new Set(['127.0.0.1']));
  expect(JSON.stringify(events)).not.toContain('guess-');
  expect(JSON.stringify(events)).not.toContain('the-right-password');

  await new Promise((r) => setTimeout(r, LOCKOUT_SECONDS * 1000 + 500));
  expect(await signIn(app.baseURL, 'victim@example.com', 'the-right-password')).toMatch(/session-token=/);
  expect((await signInAudit())[0]!.outcome).toBe('success');
  // The admin was never locked out by another account's failures.
  expect(await signIn(app.baseURL, TEST_ADMIN.email, TEST_ADMIN.password)).toMatch(/session-token=/);
});
