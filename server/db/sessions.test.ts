import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from './client';
import { openTempDb, type TempDb } from './test-support/temp-db';
import { createSession, endSession, endUserSessions, findSessionUser } from './sessions';
import { changeEndsSessions, changeUser, insertUser } from './user-admin';
import type { UserRow } from './schema/users';

let temp: TempDb;
let db: Db;
let ada: UserRow;
let bob: UserRow;
const HOUR = 3_600_000;
const T0 = new Date('2026-06-01T12:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

beforeEach(() => {
  temp = openTempDb('tc-sessions-');
  db = temp.db;
  const add = (n: string) => {
    const row = insertUser(db, { email: `${n}@example.com`, name: n, role: 'admin', passwordHash: 'h' });
    if (row === 'exists') throw new Error('duplicate user');
    return row;
  };
  ada = add('ada');
  bob = add('bob');
});

afterEach(() => temp.dispose());

const rows = () => temp.sqlite.prepare('SELECT id FROM sessions').all().length;

describe('session records', () => {
  it('finds the user of a live session only, by id and user together, until it expires', () => {
    const sid = createSession(db, ada.id, 12 * HOUR, T0);
    expect(sid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(findSessionUser(db, sid, ada.id, at(HOUR))?.email).toBe('ada@example.com');
    expect(findSessionUser(db, sid, bob.id, at(HOUR))).toBeUndefined();
    expect(findSessionUser(db, 'made-up', ada.id, at(HOUR))).toBeUndefined();
    expect(findSessionUser(db, sid, ada.id, at(12 * HOUR))).toBeUndefined();
  });

  it('removes expired rows when the next session is made', () => {
    createSession(db, ada.id, HOUR, T0);
    createSession(db, bob.id, 3 * HOUR, T0);
    expect(rows()).toBe(2);
    createSession(db, ada.id, HOUR, at(2 * HOUR));
    expect(rows()).toBe(2);
  });

  it('ends one session, or all of a user’s but the one kept', () => {
    const [a1, a2, a3] = [1, 2, 3].map(() => createSession(db, ada.id, HOUR, T0));
    const b1 = createSession(db, bob.id, HOUR, T0);
    endSession(db, a1!);
    expect(findSessionUser(db, a1!, ada.id, T0)).toBeUndefined();
    expect(endUserSessions(db, ada.id, a3)).toBe(1);
    expect(findSessionUser(db, a2!, ada.id, T0)).toBeUndefined();
    expect(findSessionUser(db, a3!, ada.id, T0)).toBeDefined();
    expect(endUserSessions(db, ada.id)).toBe(1);
    expect(findSessionUser(db, a3!, ada.id, T0)).toBeUndefined();
    expect(findSessionUser(db, b1, bob.id, T0)).toBeDefined();
  });
});

describe('user changes that end sessions', () => {
  it('ends them for a new password, disabling and a lower role; not for a higher role or enabling', () => {
    expect(changeEndsSessions({ role: 'viewer' }, { passwordHash: 'x' })).toBe(true);
    expect(changeEndsSessions({ role: 'viewer' }, { disabledAt: T0 })).toBe(true);
    expect(changeEndsSessions({ role: 'admin' }, { role: 'operator' })).toBe(true);
    expect(changeEndsSessions({ role: 'operator' }, { role: 'viewer' })).toBe(true);
    expect(changeEndsSessions({ role: 'viewer' }, { role: 'admin' })).toBe(false);
    expect(changeEndsSessions({ role: 'admin' }, { role: 'admin' })).toBe(false);
    expect(changeEndsSessions({ role: 'viewer' }, { disabledAt: null })).toBe(false);
  });

  it('ends them in the same change, keeping the caller’s own when asked', () => {
    const [a1, a2] = [1, 2].map(() => createSession(db, ada.id, HOUR, new Date()));
    expect(changeUser(db, ada.id, { passwordHash: 'new' }, a2)).toBe('ok');
    expect(findSessionUser(db, a1!, ada.id)).toBeUndefined();
    expect(findSessionUser(db, a2!, ada.id)).toBeDefined();
    expect(changeUser(db, ada.id, { role: 'viewer' })).toBe('ok');
    expect(findSessionUser(db, a2!, ada.id)).toBeUndefined();
    // Refused changes end nothing.
    const b1 = createSession(db, bob.id, HOUR, new Date());
    expect(changeUser(db, bob.id, { disabledAt: new Date() })).toBe('last-admin');
    expect(findSessionUser(db, b1, bob.id)).toBeDefined();
  });
});
