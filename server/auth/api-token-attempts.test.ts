import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../db/client';
import { openTempDb, type TempDb } from '../db/test-support/temp-db';
import { insertApiToken, revokeApiToken } from '../db/api-tokens';
import { queryAudit } from '../db/audit-log';
import { insertUser } from '../db/user-admin';
import { API_TOKEN_AUDIT_ACTION, attemptBearer, failedAttemptAudit, retryAfterSeconds } from './api-token-attempts';
import { generateApiToken } from './api-tokens';
import { apiTokenAddressKey, isLocked, throttlePolicies } from './throttle';

let temp: TempDb;
let db: Db;

beforeEach(() => {
  temp = openTempDb('tc-token-attempts-');
  db = temp.db;
});

afterEach(() => temp.dispose());

const NOW = new Date('2026-06-01T12:00:00Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);
const POLICY = { maxFailures: 3, lockoutMs: 60_000 };

function addToken(email = 'ada@example.com') {
  const creator = insertUser(db, { email, name: 'Ada', role: 'admin', passwordHash: 'h' });
  if (creator === 'exists') throw new Error('duplicate user');
  const { token, prefix, tokenHash } = generateApiToken();
  const id = crypto.randomUUID();
  insertApiToken(db, { id, name: 'ci deploy', prefix, tokenHash, role: 'operator', createdBy: creator.id, createdAt: NOW, expiresAt: null, lastUsedAt: null, revokedAt: null });
  return { id, token, prefix, tokenHash, creator };
}

const trail = () => queryAudit(db, { action: API_TOKEN_AUDIT_ACTION, limit: 100 }).reverse();

describe('failedAttemptAudit', () => {
  it('names nobody and nothing for a token that does not exist', () => {
    expect(failedAttemptAudit({ ok: false, reason: 'unknown' }, '10.0.0.7', false)).toEqual({
      action: 'auth.api_token',
      actor: null,
      target: null,
      params: undefined,
      sourceIp: '10.0.0.7',
      outcome: 'failure',
      message: 'unknown token',
    });
    expect(failedAttemptAudit({ ok: false, reason: 'malformed' }, '10.0.0.7', true).message).toBe('malformed authorization header; address now locked out');
  });

  it('names the creator and the token, never more of it than its listed prefix', () => {
    const entry = failedAttemptAudit(
      { ok: false, reason: 'revoked', token: { id: 'tok-1', name: 'old laptop', prefix: 'tale_abcdef' }, creator: { id: 'u-1', email: 'ada@example.com' } },
      '10.0.0.7',
      false,
    );
    expect(entry).toMatchObject({
      actor: { id: 'u-1', email: 'ada@example.com (token: old laptop)' },
      target: 'tok-1',
      params: { name: 'old laptop', prefix: 'tale_abcdef' },
      outcome: 'failure',
      message: 'revoked token',
    });
  });
});

describe('retryAfterSeconds', () => {
  it('rounds up to whole seconds and never says 0', () => {
    expect(retryAfterSeconds(at(1500), NOW)).toBe(2);
    expect(retryAfterSeconds(at(60_000), NOW)).toBe(60);
    expect(retryAfterSeconds(at(1), NOW)).toBe(1);
    expect(retryAfterSeconds(NOW, NOW)).toBe(1);
  });
});

describe('throttlePolicies', () => {
  it('gives an address four times the per-account allowance over the same window', () => {
    expect(throttlePolicies({ maxFailures: 5, lockoutSeconds: 900 })).toEqual({
      account: { maxFailures: 5, lockoutMs: 900_000 },
      address: { maxFailures: 20, lockoutMs: 900_000 },
    });
  });
});

describe('attemptBearer', () => {
  it('audits every refused token with its reason, and never the token or its hash', () => {
    const revoked = addToken();
    expect(revokeApiToken(db, revoked.id, NOW)).toBe('ok');
    const unknown = generateApiToken();
    expect(attemptBearer(db, `Bearer ${unknown.token}`, '10.0.0.7', { ...POLICY, maxFailures: 10 }, NOW)).toEqual({ ok: false, status: 401 });
    expect(attemptBearer(db, 'Basic YTpi', '10.0.0.7', { ...POLICY, maxFailures: 10 }, NOW)).toEqual({ ok: false, status: 401 });
    expect(attemptBearer(db, `Bearer ${revoked.token}`, '10.0.0.7', { ...POLICY, maxFailures: 10 }, NOW)).toEqual({ ok: false, status: 401 });

    const rows = trail();
    expect(rows.map((r) => [r.outcome, r.message, r.target, r.actorEmail, r.sourceIp])).toEqual([
      ['failure', 'unknown token', null, null, '10.0.0.7'],
      ['failure', 'malformed authorization header', null, null, '10.0.0.7'],
      ['failure', 'revoked token', revoked.id, 'ada@example.com (token: ci deploy)', '10.0.0.7'],
    ]);
    const text = JSON.stringify(rows);
    for (const secret of [unknown.token, unknown.tokenHash, revoked.token, revoked.tokenHash, revoked.token.slice(revoked.prefix.length)]) expect(text).not.toContain(secret);
  });

  it('does not audit a token that works', () => {
    const { token, creator } = addToken();
    const attempt = attemptBearer(db, `Bearer ${token}`, '10.0.0.7', POLICY, NOW);
    expect(attempt.ok && attempt.caller.id).toBe(creator.id);
    expect(trail()).toEqual([]);
  });

  it('locks an address out after maxFailures, refusing even a valid token unchecked until the window ends', () => {
    const { token } = addToken();
    const bad = `Bearer ${generateApiToken().token}`;
    for (let i = 0; i < POLICY.maxFailures; i++) expect(attemptBearer(db, bad, '10.0.0.7', POLICY, at(i * 1000))).toEqual({ ok: false, status: 401 });
    expect(isLocked(db, apiTokenAddressKey('10.0.0.7'), at(2000).getTime())).toBe(true);

    // The lock started with the third failure, at +2 s, and lasts the policy's minute.
    expect(attemptBearer(db, `Bearer ${token}`, '10.0.0.7', POLICY, at(3000))).toEqual({ ok: false, status: 429, retryAfterSeconds: 59 });
    expect(attemptBearer(db, bad, '10.0.0.7', POLICY, at(4000))).toEqual({ ok: false, status: 429, retryAfterSeconds: 58 });
    // Another address is not affected.
    expect(attemptBearer(db, `Bearer ${token}`, '10.0.0.8', POLICY, at(3000)).ok).toBe(true);
    expect(attemptBearer(db, `Bearer ${token}`, '10.0.0.7', POLICY, at(62_000)).ok).toBe(true);

    const rows = trail();
    expect(rows.map((r) => [r.outcome, r.message, r.repeatCount, r.lastRepeatAt?.getTime() ?? null])).toEqual([
      ['failure', 'unknown token', 0, null],
      ['failure', 'unknown token', 0, null],
      ['failure', 'unknown token; address now locked out', 0, null],
      // One row per lockout, however many requests it refuses: the second is counted on the first.
      ['denied', 'address locked out after repeated failures; token not checked', 1, at(4000).getTime()],
    ]);
  });

  it('keeps counting failures only within the window', () => {
    const bad = `Bearer ${generateApiToken().token}`;
    attemptBearer(db, bad, '10.0.0.7', POLICY, NOW);
    attemptBearer(db, bad, '10.0.0.7', POLICY, at(1000));
    // The window has passed: this failure starts a new count instead of locking.
    attemptBearer(db, bad, '10.0.0.7', POLICY, at(61_000));
    expect(isLocked(db, apiTokenAddressKey('10.0.0.7'), at(61_000).getTime())).toBe(false);
  });
});
