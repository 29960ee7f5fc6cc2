import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '@/lib/roles';
import type { SessionUser } from '@/lib/dto/user';
import type { Db } from '../db/client';
import { insertApiToken } from '../db/api-tokens';
import { writeGrant } from '../db/environment-roles';
import { openTempDb, type TempDb } from '../db/test-support/temp-db';
import { insertUser } from '../db/user-admin';
import { authenticateApiToken, generateApiToken } from './api-tokens';
import { userInEnvironment } from './environment-role';

// The role that counts in an environment: a grant replaces a non-admin's console-wide role there;
// an admin is admin everywhere; an API token acts as its creator there but never above its own role.

let temp: TempDb;
let db: Db;
beforeEach(() => ((temp = openTempDb('tc-envrole-')), (db = temp.db)));
afterEach(() => temp.dispose());

let n = 0;
function user(role: Role): SessionUser {
  const row = insertUser(db, { email: `u${++n}@example.test`, name: 'U', role, passwordHash: 'h' });
  if (row === 'exists') throw new Error('duplicate');
  return { id: row.id, email: row.email, name: row.name, role: row.role };
}
const grant = (u: SessionUser, env: string, role: 'viewer' | 'operator') => writeGrant(db, u.id, env, role, 'admin', new Date());

/** The caller a Bearer token authenticates as (server/auth/api-tokens.ts), as withApiUser sees it. */
function tokenCaller(creator: SessionUser, role: Role): SessionUser {
  const { token, prefix, tokenHash } = generateApiToken();
  insertApiToken(db, { id: crypto.randomUUID(), name: 't', prefix, tokenHash, role, createdBy: creator.id, createdAt: new Date(), expiresAt: null, lastUsedAt: null, revokedAt: null });
  const check = authenticateApiToken(db, `Bearer ${token}`);
  if (!check.ok) throw new Error('token refused');
  return check.caller;
}

describe('userInEnvironment', () => {
  it('applies a grant up or down in its environment only', () => {
    const viewer = user('viewer');
    const operator = user('operator');
    grant(viewer, 'staging', 'operator');
    grant(operator, 'production', 'viewer');
    expect(userInEnvironment(db, viewer, 'staging').role).toBe('operator');
    expect(userInEnvironment(db, viewer, 'production').role).toBe('viewer');
    expect(userInEnvironment(db, operator, 'production').role).toBe('viewer');
    expect(userInEnvironment(db, operator, 'staging').role).toBe('operator');
  });

  it('leaves an admin admin, even with a stale grant', () => {
    const admin = user('admin');
    grant(admin, 'local', 'viewer');
    expect(userInEnvironment(db, admin, 'local').role).toBe('admin');
  });

  it('gives a token its creator’s role in the environment, capped by the token’s own role', () => {
    const operator = user('operator');
    grant(operator, 'production', 'viewer');
    expect(userInEnvironment(db, tokenCaller(operator, 'operator'), 'production').role).toBe('viewer');
    expect(userInEnvironment(db, tokenCaller(operator, 'operator'), 'staging').role).toBe('operator');

    const viewer = user('viewer');
    grant(viewer, 'staging', 'operator');
    // The token was made with viewer (the most a viewer may): the grant raises the creator, not the token.
    expect(userInEnvironment(db, tokenCaller(viewer, 'viewer'), 'staging').role).toBe('viewer');
    // An operator token capped to viewer by its creator's console-wide role acts as operator where the creator is one.
    expect(userInEnvironment(db, tokenCaller(viewer, 'operator'), 'staging').role).toBe('operator');
    expect(userInEnvironment(db, tokenCaller(viewer, 'operator'), 'production').role).toBe('viewer');

    const admin = user('admin');
    grant(admin, 'staging', 'operator');
    // An admin's viewer token stays a viewer; the admin's stale grant does not raise it.
    expect(userInEnvironment(db, tokenCaller(admin, 'viewer'), 'staging').role).toBe('viewer');
    expect(userInEnvironment(db, tokenCaller(admin, 'admin'), 'staging').role).toBe('admin');
  });
});
