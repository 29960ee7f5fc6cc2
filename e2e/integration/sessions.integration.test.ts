import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignedInUser, createToken, enrolTotp } from '../support/accounts';
import { auditEvents } from '../support/audit';
import { consoleDb, signIn, signOut, startConsole, TEST_ADMIN, type RunningConsole } from '../support/console';
import { runAction } from '../support/server-actions';

// Sessions end when they should, against the real console: each case keeps an old session cookie
// aside, does what should end it, and replays it on an API route (401) and a page (to /login).
// Then the API-token edge rules: a bearer header counts only under /api/v1 and only as Bearer, and
// the "two-step sign-in for admins" policy holds an admin's tokens as it holds their browser.

const SIGNIN_MAX_FAILURES = 1;
/** Refused tokens allowed per address before a lockout: four times the per-account allowance. */
const ADDRESS_MAX_FAILURES = SIGNIN_MAX_FAILURES * 4;

let app: RunningConsole;
const call = <T>(name: string, args: unknown[], cookie: string) => runAction<T>(app.baseURL, name, args, cookie);
const USERS = 'app/(console)/users/actions.ts';
const OWN_PASSWORD = 'app/(auth)/two-factor/actions.ts#changeOwnPasswordAction';

/** A user's stored password hash, read from the console's own database: to show that nothing changed. */
function passwordHash(userId: string): string {
  const db = consoleDb(app);
  try {
    return (db.prepare('SELECT password_hash AS hash FROM users WHERE id = ?').get(userId) as { hash: string }).hash;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  // Loopback is a trusted proxy so that each test can speak from its own X-Forwarded-For address.
  app = await startConsole({ env: { SIGNIN_MAX_FAILURES: String(SIGNIN_MAX_FAILURES), SIGNIN_LOCKOUT_SECONDS: '900', TRUSTED_PROXIES: '127.0.0.1' } });
}, 300_000);

afterAll(async () => {
  await app?.stop();
});

let n = 0;
/** A new user with a password of their own, and a first session cookie. */
async function newUser(role: 'admin' | 'operator' | 'viewer'): Promise<{ id: string; email: string; password: string; cookie: string }> {
  const email = `u${++n}-${role}@example.com`;
  const password = `password-of-${email}`;
  return { ...(await createSignedInUser(app.baseURL, app.cookie, { name: `User ${n}`, email, role, password })), email, password };
}

/** What the console makes of a cookie: served on the API and the pages, or refused on both. */
async function session(cookie: string): Promise<'alive' | 'dead'> {
  const api = await fetch(`${app.baseURL}/api/v1/me`, { headers: { Cookie: cookie } });
  const page = await fetch(`${app.baseURL}/`, { headers: { Cookie: cookie }, redirect: 'manual' });
  await page.body?.cancel();
  if (api.status === 200 && page.status === 200) return 'alive';
  expect(api.status).toBe(401);
  expect(((await api.json()) as { code: string }).code).toBe('UNAUTHENTICATED');
  expect(page.status).toBe(307);
  expect(page.headers.get('location')).toMatch(/\/login$/);
  return 'dead';
}

const audit = (actionName: string) => auditEvents(app.baseURL, app.cookie, actionName);
/** A token of a fresh name; the secret. */
const newToken = async (cookie: string, role: 'viewer' | 'operator' | 'admin' = 'viewer') =>
  (await createToken(app.baseURL, cookie, { name: `t${++n}`, role, expiresInDays: 7 })).token;

describe('sessions end when they should', () => {
  it('changing one’s own password (a viewer, on Account & security) ends the other sessions and keeps this one, audited without the passwords', async () => {
    const me = await newUser('viewer');
    const other = (await signIn(app.baseURL, me.email, me.password))!;
    expect(await session(other)).toBe('alive');
    const newPassword = 'a-viewer-s-new-password';
    expect(await call(OWN_PASSWORD, [{ currentPassword: me.password, newPassword, confirm: newPassword }], me.cookie)).toMatchObject({ ok: true });
    expect(await session(other)).toBe('dead');
    expect(await session(me.cookie)).toBe('alive');
    expect(await signIn(app.baseURL, me.email, newPassword)).toMatch(/session-token=/);
    // The one refused sign-in of this file from the loopback address (the address lockout allows four).
    expect(await signIn(app.baseURL, me.email, me.password)).toBeNull();
    const rows = (await audit('user.change_own_password')).filter((e) => e.actor === me.email);
    expect(rows).toMatchObject([{ target: me.email, outcome: 'success', params: null }]);
    expect(JSON.stringify(rows)).not.toContain(newPassword);
    expect(JSON.stringify(rows)).not.toContain(me.password);
  });

  it('a wrong current password changes nothing and counts toward the account’s sign-in lockout', async () => {
    const me = await newUser('viewer');
    const other = (await signIn(app.baseURL, me.email, me.password))!;
    const hashBefore = passwordHash(me.id);
    const attempt = (currentPassword: string) => call(OWN_PASSWORD, [{ currentPassword, newPassword: 'never-to-be-set-1', confirm: 'never-to-be-set-1' }], me.cookie);
    expect(await attempt('a-wrong-guess-1')).toMatchObject({ ok: false, code: 'WRONG_PASSWORD', fieldErrors: { currentPassword: ['Incorrect password'] } });
    expect(passwordHash(me.id)).toBe(hashBefore);
    expect(await session(me.cookie)).toBe('alive');
    expect(await session(other)).toBe('alive');
    // SIGNIN_MAX_FAILURES is 1 here: that one wrong guess locked the account, for the form (even
    // the right password is not checked now) and for sign-in alike.
    expect(await attempt(me.password)).toMatchObject({ ok: false, code: 'LOCKED_OUT', fieldErrors: { currentPassword: [expect.any(String)] } });
    expect(passwordHash(me.id)).toBe(hashBefore);
    expect(await signIn(app.baseURL, me.email, me.password)).toBeNull();
    expect(await session(other)).toBe('alive');
    expect((await audit('user.change_own_password')).filter((e) => e.actor === me.email).map((e) => [e.outcome, e.message])).toEqual([
      ['denied', 'locked out after repeated failures'],
      ['failure', 'wrong current password; now locked out'],
    ]);
  });

  it('an admin’s reset of their own password ends their other sessions and keeps the current one', async () => {
    const me = await newUser('admin');
    const other = (await signIn(app.baseURL, me.email, me.password))!;
    expect(await session(other)).toBe('alive');
    expect(await call(`${USERS}#resetPasswordAction`, [{ id: me.id, password: 'a-brand-new-password' }], me.cookie)).toMatchObject({ ok: true });
    expect(await session(other)).toBe('dead');
    expect(await session(me.cookie)).toBe('alive');
    expect(await signIn(app.baseURL, me.email, 'a-brand-new-password')).toMatch(/session-token=/);
  });

  it('an admin’s password reset ends every session of that user', async () => {
    const user = await newUser('operator');
    const second = (await signIn(app.baseURL, user.email, user.password))!;
    expect(await call(`${USERS}#resetPasswordAction`, [{ id: user.id, password: 'reset-by-the-admin' }], app.cookie)).toMatchObject({ ok: true });
    expect(await session(user.cookie)).toBe('dead');
    expect(await session(second)).toBe('dead');
    expect(await session(app.cookie)).toBe('alive');
    expect((await audit('users.reset_password'))[0]).toMatchObject({ target: user.id, outcome: 'success', actor: TEST_ADMIN.email });
  });

  it('disabling a user ends their sessions for good: enabling them again does not bring the old cookie back', async () => {
    const user = await newUser('viewer');
    expect(await call(`${USERS}#setDisabledAction`, [{ id: user.id, disabled: true }], app.cookie)).toMatchObject({ ok: true });
    expect(await session(user.cookie)).toBe('dead');
    expect(await call(`${USERS}#setDisabledAction`, [{ id: user.id, disabled: false }], app.cookie)).toMatchObject({ ok: true });
    expect(await session(user.cookie)).toBe('dead');
  });

  it('a lower role ends the sessions; a higher one does not', async () => {
    const user = await newUser('operator');
    expect(await call(`${USERS}#changeRoleAction`, [{ id: user.id, role: 'admin' }], app.cookie)).toMatchObject({ ok: true });
    expect(await session(user.cookie)).toBe('alive');
    expect(await call(`${USERS}#changeRoleAction`, [{ id: user.id, role: 'viewer' }], app.cookie)).toMatchObject({ ok: true });
    expect(await session(user.cookie)).toBe('dead');
  });

  it('an admin’s reset of a user’s second factor ends their sessions', async () => {
    const user = await newUser('viewer');
    await enrolTotp(app.baseURL, user.cookie);
    expect(await session(user.cookie)).toBe('alive');
    expect(await call(`${USERS}#resetTotpAction`, [{ id: user.id }], app.cookie)).toMatchObject({ ok: true });
    expect(await session(user.cookie)).toBe('dead');
  });

  it('signing out ends that session on the server: the cookie replayed is refused, other sessions stay', async () => {
    const user = await newUser('viewer');
    const other = (await signIn(app.baseURL, user.email, user.password))!;
    await signOut(app.baseURL, user.cookie);
    expect(await session(user.cookie)).toBe('dead');
    expect(await session(other)).toBe('alive');
  });

  it('“sign out everywhere” ends every session of the user, only after an explicit yes, audited', async () => {
    const user = await newUser('operator');
    const other = (await signIn(app.baseURL, user.email, user.password))!;
    const bystander = await newUser('operator');
    const everywhere = 'app/(auth)/two-factor/actions.ts#signOutEverywhereAction';
    expect(await call(everywhere, [{}], user.cookie)).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(await session(user.cookie)).toBe('alive');
    expect(await call(everywhere, [{ confirm: true }], user.cookie)).toMatchObject({ ok: true, data: { ended: 2 } });
    expect(await session(user.cookie)).toBe('dead');
    expect(await session(other)).toBe('dead');
    expect(await session(bystander.cookie)).toBe('alive');
    expect((await audit('auth.sign_out_everywhere')).map((e) => [e.actor, e.outcome])).toEqual([
      [user.email, 'success'],
      [user.email, 'failure'],
    ]);
  });
});

describe('the Authorization header', () => {
  const tokenAudit = async (from: string) => (await audit('auth.api_token')).filter((e) => e.sourceIp === from);

  it('on /api/v1, a scheme other than Bearer neither overrides a valid cookie nor counts toward the token lockout', async () => {
    const from = '203.0.113.31';
    const user = await newUser('operator');
    const token = await newToken(app.cookie);
    for (let i = 0; i < ADDRESS_MAX_FAILURES + 2; i++) {
      const res = await fetch(`${app.baseURL}/api/v1/me`, { headers: { Cookie: user.cookie, Authorization: 'Basic YWRtaW46YWRtaW4=', 'X-Forwarded-For': from } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ email: user.email, role: 'operator' });
    }
    // Without a cookie it is simply not signed in, not a refused token.
    const bare = await fetch(`${app.baseURL}/api/v1/me`, { headers: { Authorization: 'Basic YWRtaW46YWRtaW4=', 'X-Forwarded-For': from } });
    expect(bare.status).toBe(401);
    expect(((await bare.json()) as { code: string }).code).toBe('UNAUTHENTICATED');
    expect(await tokenAudit(from)).toEqual([]);
    const valid = await fetch(`${app.baseURL}/api/v1/me`, { headers: { Authorization: `Bearer ${token}`, 'X-Forwarded-For': from } });
    expect(valid.status).toBe(200);
  });

  it('outside /api/v1 a bearer header is ignored: the cookie decides and nothing counts toward the lockout', async () => {
    const from = '203.0.113.32';
    const user = await newUser('viewer');
    const token = await newToken(app.cookie);
    const bogus = `Bearer tale_${crypto.randomBytes(32).toString('base64url')}`;
    const events = `${app.baseURL}/api/operations/${crypto.randomUUID()}/events`;
    for (let i = 0; i < ADDRESS_MAX_FAILURES + 2; i++) {
      const res = await fetch(events, { headers: { Cookie: user.cookie, Authorization: bogus, 'X-Forwarded-For': from } });
      await res.body?.cancel();
      // Through the gate as the cookie's user; the operation does not exist.
      expect(res.status).toBe(404);
    }
    // A valid token there is no credential either.
    const tokenOnly = await fetch(events, { headers: { Authorization: `Bearer ${token}`, 'X-Forwarded-For': from } });
    expect(tokenOnly.status).toBe(401);
    expect(((await tokenOnly.json()) as { code: string }).code).toBe('UNAUTHENTICATED');
    expect(await tokenAudit(from)).toEqual([]);
    const valid = await fetch(`${app.baseURL}/api/v1/me`, { headers: { Authorization: `Bearer ${token}`, 'X-Forwarded-For': from } });
    expect(valid.status).toBe(200);
  });
});

// Last: it turns on "require two-step sign-in for admins", which holds the test admin too.
describe('"require two-step sign-in for admins" and API tokens', () => {
  it('refuses the tokens of an admin it holds with 403 TOTP_ENROLMENT_REQUIRED, says so on the tokens page, and lets them work once the admin enrols', async () => {
    const admin = await newUser('admin');
    const adminsViewerToken = await newToken(admin.cookie, 'viewer');
    await enrolTotp(app.baseURL, app.cookie);
    const enrolledAdminsToken = await newToken(app.cookie, 'operator');
    expect(await call(`${USERS}#setAdminTotpRequiredAction`, [{ required: true }], app.cookie)).toMatchObject({ ok: true });

    const status = (token: string) => fetch(`${app.baseURL}/api/v1/status`, { headers: { Authorization: `Bearer ${token}` } });
    const held = await status(adminsViewerToken);
    expect(held.status).toBe(403);
    const body = (await held.json()) as { code: string; message: string };
    expect(body.code).toBe('TOTP_ENROLMENT_REQUIRED');
    expect(body.message).toMatch(/two-step sign-in/);
    expect((await status(enrolledAdminsToken)).status).toBe(200);

    const page = await fetch(`${app.baseURL}/tokens`, { headers: { Cookie: app.cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('TOTP_ENROLMENT_REQUIRED');
    expect(html).toContain('Refused: creator has no two-step sign-in');

    // Held, the admin may still change their own password (on the page the gate sends them to).
    const newPassword = 'held-admin-new-password';
    expect(await call(OWN_PASSWORD, [{ currentPassword: admin.password, newPassword, confirm: newPassword }], admin.cookie)).toMatchObject({ ok: true });

    await enrolTotp(app.baseURL, admin.cookie);
    expect((await status(adminsViewerToken)).status).toBe(200);
  });
});
