import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../db/client';
import { openTempDb, type TempDb } from '../db/test-support/temp-db';
import { findApiToken, insertApiToken, revokeApiToken } from '../db/api-tokens';
import { insertUser, changeUser } from '../db/user-admin';
import type { Role } from '@/lib/roles';
import { writeSetting } from '../db/console-settings';
import { activatePendingTotp, setPendingTotp } from '../db/totp';
import { authenticateApiToken, bearerToken, generateApiToken, hashApiToken, tokenAuthorization } from './api-tokens';
import { REQUIRE_ADMIN_TOTP } from './totp-policy';

let temp: TempDb;
let db: Db;

beforeEach(() => {
  temp = openTempDb('tc-tokens-');
  db = temp.db;
});

afterEach(() => temp.dispose());

const NOW = new Date('2026-06-01T12:00:00Z');

function addToken(opts: { role?: Role; creatorRole?: Role; expiresAt?: Date | null; email?: string } = {}) {
  const creator = insertUser(db, { email: opts.email ?? 'ada@example.com', name: 'Ada', role: opts.creatorRole ?? 'admin', passwordHash: 'h' });
  if (creator === 'exists') throw new Error('duplicate user');
  const { token, prefix, tokenHash } = generateApiToken();
  const id = crypto.randomUUID();
  insertApiToken(db, { id, name: 'ci deploy', prefix, tokenHash, role: opts.role ?? 'operator', createdBy: creator.id, createdAt: NOW, expiresAt: opts.expiresAt ?? null, lastUsedAt: null, revokedAt: null });
  return { id, token, creator };
}

describe('token format', () => {
  it('is tale_ and 43 base64url characters, unique each time, kept only as its SHA-256', () => {
    const a = generateApiToken();
    const b = generateApiToken();
    expect(a.token).toMatch(/^tale_[A-Za-z0-9_-]{43}$/);
    expect(a.token).not.toBe(b.token);
    expect(a.tokenHash).toBe(hashApiToken(a.token));
    expect(a.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.token.startsWith(a.prefix)).toBe(true);
    expect(a.prefix.length).toBeLessThan(15);
  });

  it('reads only a well-formed Bearer header', () => {
    const { token } = generateApiToken();
    expect(bearerToken(`Bearer ${token}`)).toBe(token);
    expect(bearerToken(`bearer ${token}`)).toBe(token);
    for (const header of [`Basic ${token}`, token, `Bearer ${token}x`, `Bearer ${token} extra`, 'Bearer tale_short', 'Bearer ']) {
      expect(bearerToken(header)).toBeNull();
    }
  });
});

describe('tokenAuthorization', () => {
  const { token } = generateApiToken();
  it('considers a Bearer header (any case, even malformed) under /api/v1 only', () => {
    for (const header of [`Bearer ${token}`, `bearer ${token}`, 'BEARER nope', 'Bearer']) {
      expect(tokenAuthorization(header, '/api/v1/status')).toBe(header);
      expect(tokenAuthorization(header, '/api/v1/operations/x/events')).toBe(header);
    }
    for (const path of ['/api/operations/x/events', '/api/logs/stream', '/api/overview', '/api/v1', '/api/v10/status', '/']) {
      expect(tokenAuthorization(`Bearer ${token}`, path)).toBeNull();
    }
  });

  it('leaves another scheme, or none, to the session cookie', () => {
    for (const header of ['Basic YTpi', `Token ${token}`, `Bearer${token}`, token, '', null]) {
      expect(tokenAuthorization(header, '/api/v1/status')).toBeNull();
    }
  });
});

describe('authenticateApiToken', () => {
  it('lets a valid token act as its creator with its own role, naming the token', () => {
    const { token, id, creator } = addToken({ role: 'operator' });
    const check = authenticateApiToken(db, `Bearer ${token}`, NOW);
    expect(check).toEqual({
      ok: true,
      caller: { id: creator.id, email: 'ada@example.com (token: ci deploy)', name: 'Ada', role: 'operator', token: { id, name: 'ci deploy' } },
    });
  });

  it('refuses unknown, malformed, revoked and expired tokens', () => {
    expect(authenticateApiToken(db, `Bearer ${generateApiToken().token}`, NOW)).toEqual({ ok: false, reason: 'unknown' });
    expect(authenticateApiToken(db, 'Bearer nope', NOW)).toEqual({ ok: false, reason: 'malformed' });

    const revoked = addToken({ email: 'r@example.com' });
    expect(revokeApiToken(db, revoked.id, NOW)).toBe('ok');
    expect(revokeApiToken(db, revoked.id, NOW)).toBe('already-revoked');
    expect(authenticateApiToken(db, `Bearer ${revoked.token}`, NOW)).toEqual({
      ok: false,
      reason: 'revoked',
      token: { id: revoked.id, name: 'ci deploy', prefix: revoked.token.slice(0, 11) },
      creator: { id: revoked.creator.id, email: 'r@example.com' },
    });

    const expiring = addToken({ email: 'e@example.com', expiresAt: new Date(NOW.getTime() + 1000) });
    expect(authenticateApiToken(db, `Bearer ${expiring.token}`, NOW).ok).toBe(true);
    expect(authenticateApiToken(db, `Bearer ${expiring.token}`, new Date(NOW.getTime() + 1000))).toMatchObject({ ok: false, reason: 'expired', token: { id: expiring.id } });
  });

  it('stops working when its creator is disabled', () => {
    addToken({ email: 'other-admin@example.com' }); // so the creator below is not the last admin
    const { token, creator } = addToken({ email: 'leaver@example.com' });
    expect(changeUser(db, creator.id, { disabledAt: NOW })).toBe('ok');
    expect(authenticateApiToken(db, `Bearer ${token}`, NOW)).toMatchObject({ ok: false, reason: 'creator-disabled', creator: { id: creator.id, email: 'leaver@example.com' } });
  });

  it('never acts above its creator’s current role', () => {
    const { token, creator } = addToken({ role: 'admin', creatorRole: 'admin', email: 'demoted@example.com' });
    addToken({ email: 'keeper@example.com' });
    expect(changeUser(db, creator.id, { role: 'viewer' })).toBe('ok');
    const check = authenticateApiToken(db, `Bearer ${token}`, NOW);
    expect(check.ok && check.caller.role).toBe('viewer');
  });

  it('records when a token was last used, at most once a minute', () => {
    const { token, id } = addToken();
    const lastUsed = () => findApiToken(db, id)?.lastUsedAt?.getTime();
    authenticateApiToken(db, `Bearer ${token}`, NOW);
    expect(lastUsed()).toBe(NOW.getTime());
    authenticateApiToken(db, `Bearer ${token}`, new Date(NOW.getTime() + 30_000));
    expect(lastUsed()).toBe(NOW.getTime());
    authenticateApiToken(db, `Bearer ${token}`, new Date(NOW.getTime() + 60_000));
    expect(lastUsed()).toBe(NOW.getTime() + 60_000);
  });
});

describe('the "two-step sign-in for admins" policy', () => {
  it('marks every token of an admin it holds, whatever the token role, until the admin enrols', () => {
    const admin = addToken({ role: 'viewer' });
    const operator = addToken({ creatorRole: 'operator', email: 'otto@example.com' });
    writeSetting(db, REQUIRE_ADMIN_TOTP, true, admin.creator.id);
    const held = authenticateApiToken(db, `Bearer ${admin.token}`, NOW);
    expect(held.ok && held.caller.mustEnrolTotp).toBe(true);
    // Only admins are held to it.
    const free = authenticateApiToken(db, `Bearer ${operator.token}`, NOW);
    expect(free.ok && free.caller.mustEnrolTotp).toBeUndefined();

    setPendingTotp(db, admin.creator.id, 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    expect(activatePendingTotp(db, admin.creator.id, 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 1)).toBe(true);
    const enrolled = authenticateApiToken(db, `Bearer ${admin.token}`, NOW);
    expect(enrolled.ok && enrolled.caller.mustEnrolTotp).toBeUndefined();
  });

  it('holds nothing while the policy is off', () => {
    const admin = addToken();
    const check = authenticateApiToken(db, `Bearer ${admin.token}`, NOW);
    expect(check.ok && check.caller.mustEnrolTotp).toBeUndefined();
  });
});
