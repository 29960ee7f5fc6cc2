import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { openDb, runMigrations } from './client';
import { countUsers, findUserByEmail, insertFirstAdmin } from './users';

it('migrates a new database and lets only the first admin in', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-db-'));
  const { db, sqlite } = openDb(path.join(dir, 'console.db'));
  try {
    runMigrations(db);
    expect(countUsers(db)).toBe(0);
    const first = insertFirstAdmin(db, { email: 'a@example.com', name: 'A', passwordHash: 'h' });
    expect(first?.role).toBe('admin');
    expect(insertFirstAdmin(db, { email: 'b@example.com', name: 'B', passwordHash: 'h' })).toBeUndefined();
    expect(countUsers(db)).toBe(1);
    expect(findUserByEmail(db, 'b@example.com')).toBeUndefined();
  } finally {
    sqlite.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
