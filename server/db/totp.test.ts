import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openDb, runMigrations, type Db } from './client';
import { findUserById, insertFirstAdmin } from './users';
import { acceptTotpStep, activatePendingTotp, clearTotp, setPendingTotp } from './totp';

let dir: string;
let db: Db;
let close: () => void;
let id: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-totp-'));
  const opened = openDb(path.join(dir, 'console.db'));
  db = opened.db;
  close = () => opened.sqlite.close();
  runMigrations(db);
  id = insertFirstAdmin(db, { email: 'a@example.com', name: 'A', passwordHash: 'h' })!.id;
});

afterEach(() => {
  close();
  fs.rmSync(dir, { recursive: true, force: true });
});

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
