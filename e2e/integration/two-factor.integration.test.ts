import { afterAll, beforeAll, expect, it } from 'vitest';
import { totpAt, totpStep } from '@/server/auth/totp';
import { beginTotpEnrolment, confirmTotpEnrolment, createUser, type NewUser } from '../support/accounts';
import { auditEvents } from '../support/audit';
import { signIn, signInAttempt, startConsole, TEST_ADMIN, type RunningConsole } from '../support/console';
import { runAction } from '../support/server-actions';

// Two-step sign-in against the real console: enrolment, sign-in with and without a code, replay,
// lockout, an admin's reset, and the switch that makes admins enrol before anything else.

const LOCKOUT_SECONDS = 3;
const USER: NewUser = { name: 'Tess', email: 'tess@example.com', role: 'operator', password: 'tess-password-123' };
let app: RunningConsole;
let userUuid: string;
const call = <T>(name: string, args: unknown[], cookie: string) => runAction<T>(app.baseURL, name, args, cookie);

beforeAll(async () => {
  app = await startConsole({ env: { SIGNIN_MAX_FAILURES: '3', SIGNIN_LOCKOUT_SECONDS: String(LOCKOUT_SECONDS) } });
  userUuid = await createUser(app.baseURL, app.cookie, USER);
}, 300_000);

afterAll(async () => {
  await app?.stop();
});

/** Enrolment as the page does it, checking on the way that the QR code's URI is right and a wrong code is refused. */
async function enrol(cookie: string): Promise<string> {
  const { secret, uri } = await beginTotpEnrolment(app.baseURL, cookie);
  expect(uri).toMatch(/^otpauth:\/\/totp\/.+secret=[A-Z2-7]{32}/);
  const wrong = await confirmTotpEnrolment(app.baseURL, cookie, '000000' === totpAt(secret, totpStep(Date.now())) ? '111111' : '000000');
  expect(wrong?.ok).toBe(false);
  const done = await confirmTotpEnrolment(app.baseURL, cookie, totpAt(secret, totpStep(Date.now())));
  expect(done).toMatchObject({ ok: true });
  return secret;
}

const audit = async (action: string, target?: string) => (await auditEvents(app.baseURL, app.cookie, action)).filter((e) => !target || e.target === target);

it('asks for the code once enrolled, accepts a fresh one, refuses a replay, and counts wrong codes toward the lockout', async () => {
  const cookie = (await signIn(app.baseURL, USER.email, USER.password))!;
  const secret = await enrol(cookie);

  // Right password, no code: no session, and exactly the answer a wrong password gets, so the
  // answer never confirms the password. (Two failures: the lockout here is at three.)
  const noCode = await signInAttempt(app.baseURL, { email: USER.email, password: USER.password });
  expect(noCode).toEqual({ cookie: null, error: 'CredentialsSignin' });
  // A wrong password gets that answer too, whatever the code.
  expect(await signInAttempt(app.baseURL, { email: USER.email, password: 'nope-nope-nope', totp: '123456' })).toEqual(noCode);

  // The confirming code used the current step; the next step's code is still inside the window.
  const next = totpAt(secret, totpStep(Date.now()) + 1);
  const ok = await signInAttempt(app.baseURL, { email: USER.email, password: USER.password, totp: next });
  expect(ok.cookie).toMatch(/session-token=/);
  // The same code again: a replay, refused.
  expect(await signInAttempt(app.baseURL, { email: USER.email, password: USER.password, totp: next })).toEqual({ cookie: null, error: 'CredentialsSignin' });
  // An older code than the last accepted one: refused too.
  expect((await signInAttempt(app.baseURL, { email: USER.email, password: USER.password, totp: totpAt(secret, totpStep(Date.now())) })).cookie).toBeNull();

  // The replay and the older code were two failures; a third wrong code locks the account.
  expect((await signInAttempt(app.baseURL, { email: USER.email, password: USER.password, totp: '999999' === next ? '888888' : '999999' })).cookie).toBeNull();
  const events = await audit('auth.sign_in', USER.email);
  expect(events[0]!.outcome).toBe('failure');
  expect(events[0]!.message).toContain('now locked out');
  expect(events.filter((e) => e.message?.includes('second-factor code')).length).toBeGreaterThanOrEqual(3);
  expect(events.some((e) => e.outcome === 'success')).toBe(true);
  expect(JSON.stringify(events)).not.toContain(secret);
  expect(JSON.stringify(events)).not.toContain(next);

  // Locked: even a fresh, right code is refused (and never consumed).
  await new Promise((r) => setTimeout(r, 1000));
  expect((await signInAttempt(app.baseURL, { email: USER.email, password: USER.password, totp: totpAt(secret, totpStep(Date.now()) + 1) })).cookie).toBeNull();
  expect((await audit('auth.sign_in', USER.email))[0]!.outcome).toBe('denied');
});

it('lets an admin reset a user’s second factor, audited', async () => {
  expect(await call('app/(console)/users/actions.ts#resetTotpAction', [{ id: userUuid }], app.cookie)).toMatchObject({ ok: true });
  const rows = await audit('users.reset_totp');
  expect(rows[0]).toMatchObject({ outcome: 'success', target: userUuid, actor: TEST_ADMIN.email });

  await new Promise((r) => setTimeout(r, LOCKOUT_SECONDS * 1000 + 500));
  expect((await signInAttempt(app.baseURL, { email: USER.email, password: USER.password })).cookie).toMatch(/session-token=/);
});

it('makes admins without a second factor enrol before anything else once required', async () => {
  expect(await call('app/(console)/users/actions.ts#setAdminTotpRequiredAction', [{ required: true }], app.cookie)).toMatchObject({ ok: true });
  // The admin's pages and actions now lead only to enrolment.
  const page = await fetch(`${app.baseURL}/`, { headers: { Cookie: app.cookie }, redirect: 'manual' });
  expect(page.status).toBe(307);
  expect(page.headers.get('location')).toMatch(/\/two-factor$/);
  expect((await fetch(`${app.baseURL}/two-factor`, { headers: { Cookie: app.cookie }, redirect: 'manual' })).status).toBe(200);
  const refused = await call('app/(console)/users/actions.ts#setAdminTotpRequiredAction', [{ required: false }], app.cookie);
  expect(refused).toMatchObject({ ok: false, code: 'TOTP_ENROLMENT_REQUIRED' });
  // A non-admin is not affected.
  const tess = (await signIn(app.baseURL, USER.email, USER.password))!;
  expect((await fetch(`${app.baseURL}/`, { headers: { Cookie: tess }, redirect: 'manual' })).status).toBe(200);

  const secret = await enrol(app.cookie);
  expect((await fetch(`${app.baseURL}/`, { headers: { Cookie: app.cookie }, redirect: 'manual' })).status).toBe(200);
  expect(await call('app/(console)/users/actions.ts#setAdminTotpRequiredAction', [{ required: false }], app.cookie)).toMatchObject({ ok: true });
  expect((await audit('settings.require_admin_totp')).map((e) => e.outcome)).toEqual(['success', 'success']);
  expect(await signInAttempt(app.baseURL, { email: TEST_ADMIN.email, password: TEST_ADMIN.password })).toEqual({ cookie: null, error: 'CredentialsSignin' });
  expect(JSON.stringify(await audit('auth.totp_enrol'))).not.toContain(secret);
});
