import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Db } from './client';
import { openTempDb, type TempDb } from './test-support/temp-db';
import { findUserById, insertFirstAdmin } from './users';
import { acceptTotpStep, activatePendingTotp, clearTotp, setPendingTotp } from './totp';

let temp: TempDb;
let db: Db;
let id: string;

beforeEach(() => {
  temp = openTempDb('tc-totp-');
  db = temp.db;
  id = insertFirstAdmin(db, { email: 'a@example.com', name: 'A', passwordHash: 'h' })!.id;
});

afterEach(() => temp.dispose());

it('activates only the secret that is pending, consuming the confirming step', () => {
  setPendingTotp(db, id, 'PENDING');
  expect(activatePendingTotp(db, id, 'OTHER', 10)).toBe(false);
  expect(activatePendingTotp(db, id, 'PENDING', 10)).toBe(true);
  const row = findUserById(db, id)!;
  expect([row.totpSecret, row.totpPendingSecret, row.totpLastStep]).toEqual(['PENDING', null, 10]);
});

it('accepts each step once and never an older one', () => {
  expect(acceptTotpStep(db, id, 5)).toBe(true);
  expect(acceptTotpStep(db, id, 5)).toBe(false);
  expect(acceptTotpStep(db, id, 4)).toBe(false);
  expect(acceptTotpStep(db, id, 6)).toBe(true);
});

it('clears everything on reset', () => {
  setPendingTotp(db, id, 'P');
  activatePendingTotp(db, id, 'P', 3);
  expect(clearTotp(db, id)).toBe(true);
  const row = findUserById(db, id)!;
  expect([row.totpSecret, row.totpPendingSecret, row.totpLastStep]).toEqual([null, null, null]);
  expect(clearTotp(db, 'no-such-user')).toBe(false);
});
