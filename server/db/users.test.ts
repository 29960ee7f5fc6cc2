import { expect, it } from 'vitest';
import { openTempDb } from './test-support/temp-db';
import { countUsers, findUserByEmail, insertFirstAdmin } from './users';

it('migrates a new database and lets only the first admin in', () => {
  const { db, dispose } = openTempDb('tc-db-');
  try {
    expect(countUsers(db)).toBe(0);
    const first = insertFirstAdmin(db, { email: 'a@example.com', name: 'A', passwordHash: 'h' });
    expect(first?.role).toBe('admin');
    expect(insertFirstAdmin(db, { email: 'b@example.com', name: 'B', passwordHash: 'h' })).toBeUndefined();
    expect(countUsers(db)).toBe(1);
    expect(findUserByEmail(db, 'b@example.com')).toBeUndefined();
  } finally {
    dispose();
  }
});
