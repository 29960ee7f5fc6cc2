import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSignedInUser, createToken, expireToken, revokeToken, type NewUser } from '../support/accounts';
import { auditEvents } from '../support/audit';
import { startConsole, type RunningConsole } from '../support/console';
import { runAction } from '../support/server-actions';

// Failed bearer attempts against the real console: every one audited with its reason and without
// the token, and an address that keeps failing locked out (429) until the window ends. The console
// trusts the loopback as a proxy, so X-Forwarded-For gives each test its own source address.

const SIGNIN_MAX_FAILURES = 2;
/** Per address, four times the per-account sign-in allowance. */
const ADDRESS_MAX_FAILURES = SIGNIN_MAX_FAILURES * 4;
const LOCKOUT_SECONDS = 5;

let app: RunningConsole;
const tokens = { valid: '', revoked: '', expired: '', orphaned: '' };
const ids = { revoked: '', expired: '', orphaned: '' };

const viewerToken = (name: string, cookie: string) => createToken(app.baseURL, cookie, { name, role: 'viewer', expiresInDays: 30 });
const LEAVER: NewUser = { name: 'Leaver', email: 'leaver@example.com', role: 'admin', password: 'leaver-password-1' };

beforeAll(async () => {
  app = await startConsole({ env: { SIGNIN_MAX_FAILURES: String(SIGNIN_MAX_FAILURES), SIGNIN_LOCKOUT_SECONDS: String(LOCKOUT_SECONDS), TRUSTED_PROXIES: '127.0.0.1' } });
  tokens.valid = (await viewerToken('ci read', app.cookie)).token;
  const revoked = await viewerToken('old laptop', app.cookie);
  await revokeToken(app.baseURL, app.cookie, revoked.id);
  const expired = await viewerToken('short lived', app.cookie);
  expireToken(app, expired.id);

  // A second admin creates a token and is then disabled.
  const leaver = await createSignedInUser(app.baseURL, app.cookie, LEAVER);
  const orphaned = await viewerToken('leaver ci', leaver.cookie);
  expect(await runAction(app.baseURL, 'app/(console)/users/actions.ts#setDisabledAction', [{ id: leaver.id, disabled: true }], app.cookie)).toMatchObject({ ok: true });

  Object.assign(tokens, { revoked: revoked.token, expired: expired.token, orphaned: orphaned.token });
  Object.assign(ids, { revoked: revoked.id, expired: expired.id, orphaned: orphaned.id });
}, 300_000);

afterAll(async () => {
  await app?.stop();
});

const status = (authorization: string, from: string) =>
  fetch(`${app.baseURL}/api/v1/status`, { headers: { Authorization: authorization, 'X-Forwarded-For': from }, signal: AbortSignal.timeout(30_000) });

/** Oldest first. */
const tokenAudit = async () => (await auditEvents(app.baseURL, app.cookie, 'auth.api_token')).reverse();

it('audits every failed attempt with its reason, whose token it was, and no token material', async () => {
  const from = '203.0.113.10';
  const unknown = `tale_${crypto.randomBytes(32).toString('base64url')}`;
  const attempts: [string, string, string | null, string | null][] = [
    [`Bearer ${unknown}`, 'unknown token', null, null],
    ['Bearer nope', 'malformed authorization header', null, null],
    [`Bearer ${tokens.revoked}`, 'revoked token', ids.revoked, 'admin@example.com (token: old laptop)'],
    [`Bearer ${tokens.expired}`, 'expired token', ids.expired, 'admin@example.com (token: short lived)'],
    [`Bearer ${tokens.orphaned}`, 'token creator disabled', ids.orphaned, 'leaver@example.com (token: leaver ci)'],
  ];
  expect(attempts.length).toBeLessThan(ADDRESS_MAX_FAILURES);
  for (const [authorization] of attempts) {
    const res = await status(authorization, from);
    expect(res.status, authorization.slice(0, 12)).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('INVALID_TOKEN');
  }

  const events = (await tokenAudit()).filter((e) => e.sourceIp === from);
  expect(events.map((e) => [e.outcome, e.message, e.target, e.actor])).toEqual(attempts.map(([, message, target, actor]) => ['failure', message, target, actor]));

  // Neither export holds a token or its SHA-256, not even of the tokens that never existed.
  const json = await (await fetch(`${app.baseURL}/api/v1/audit`, { headers: { Cookie: app.cookie } })).text();
  const csv = await (await fetch(`${app.baseURL}/api/v1/audit?format=csv`, { headers: { Cookie: app.cookie } })).text();
  expect(json).toContain('auth.api_token');
  expect(csv).toContain('auth.api_token');
  for (const token of [unknown, tokens.valid, tokens.revoked, tokens.expired, tokens.orphaned]) {
    const hash = crypto.createHash('sha256').update(token).digest('hex');
    for (const text of [json, csv]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.slice(12));
      expect(text).not.toContain(hash);
    }
  }
});

it('locks an address out after repeated failures, refusing even a valid token, until the window ends', async () => {
  const from = '203.0.113.20';
  const bad = `Bearer tale_${crypto.randomBytes(32).toString('base64url')}`;
  for (let i = 0; i < ADDRESS_MAX_FAILURES; i++) expect((await status(bad, from)).status, `attempt ${i + 1}`).toBe(401);

  const locked = await status(bad, from);
  expect(locked.status).toBe(429);
  expect(((await locked.json()) as { code: string }).code).toBe('TOO_MANY_ATTEMPTS');
  const retryAfter = Number(locked.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(LOCKOUT_SECONDS);
  // While locked out the token is not even looked at: a valid one is refused the same way.
  expect((await status(`Bearer ${tokens.valid}`, from)).status).toBe(429);
  // Other addresses, and the session cookie, are unaffected.
  expect((await status(`Bearer ${tokens.valid}`, '203.0.113.21')).status).toBe(200);
  expect((await fetch(`${app.baseURL}/api/v1/status`, { headers: { Cookie: app.cookie, 'X-Forwarded-For': from } })).status).toBe(200);

  const events = (await tokenAudit()).filter((e) => e.sourceIp === from);
  // Two requests refused while locked out, one row: the first refusal of a lockout is recorded.
  expect(events.map((e) => e.outcome)).toEqual([...Array<string>(ADDRESS_MAX_FAILURES).fill('failure'), 'denied']);
  expect(events[ADDRESS_MAX_FAILURES - 1]!.message).toBe('unknown token; address now locked out');

  await new Promise((r) => setTimeout(r, retryAfter * 1000 + 500));
  expect((await status(`Bearer ${tokens.valid}`, from)).status).toBe(200);
  // A token that works is not audited per request.
  expect((await tokenAudit()).filter((e) => e.sourceIp === from)).toHaveLength(ADDRESS_MAX_FAILURES + 1);
}, 120_000);
