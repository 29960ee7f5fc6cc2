import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempDb, type TempDb } from '../db/test-support/temp-db';
import { environmentRoles } from '../db/schema/environments';
import { userInEnvironment } from './environment-role';

let temp: TempDb;
beforeEach(() => {
  temp = openTempDb('tc-env-roles-');
});
afterEach(() => temp.dispose());

const grant = (userId: string, environmentId: string, role: 'viewer' | 'operator') =>
  temp.db.insert(environmentRoles).values({ userId, environmentId, role, grantedAt: new Date(), grantedBy: 'admin@example.com' }).run();

const user = (id: string, role: 'viewer' | 'operator' | 'admin') => ({ id, email: `${id}@example.com`, name: id, role });

describe('userInEnvironment', () => {
  it('replaces a non-admin role in the granted environment only, up or down', () => {
    grant('op', 'production', 'viewer');
    grant('viewer', 'staging', 'operator');
    expect(userInEnvironment(temp.db, user('op', 'operator'), 'production').role).toBe('viewer');
    expect(userInEnvironment(temp.db, user('op', 'operator'), 'staging').role).toBe('operator');
    expect(userInEnvironment(temp.db, user('viewer', 'viewer'), 'staging').role).toBe('operator');
    expect(userInEnvironment(temp.db, user('viewer', 'viewer'), 'local').role).toBe('viewer');
  });

  it('leaves an admin admin everywhere, whatever a row says', () => {
    grant('root', 'production', 'viewer');
    expect(userInEnvironment(temp.db, user('root', 'admin'), 'production').role).toBe('admin');
  });
});
