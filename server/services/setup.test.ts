import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureSetupToken } from '../auth/setup-token';
import { queryAudit } from '../db/audit-log';
import { countUsers } from '../db/users';
import { accountWorld, type AccountWorld } from '../test-support/account-runtime';
import { createFirstAdmin } from './setup';

// Setup comes before anyone signs in: the caller has no user, the setup token is the credential,
// and it works once.

let world: AccountWorld;
beforeEach(() => (world = accountWorld()));
afterEach(() => world.dispose());

const form = (token: string) => ({ token, name: 'First Admin', email: 'first@example.test', password: 'a long password 123', confirm: 'a long password 123' });

describe('creating the first admin', () => {
  it('works once with the setup token, from a caller nobody has signed in as', async () => {
    const token = ensureSetupToken(world.rt.env.dataDir);
    const first = await createFirstAdmin(world.rt, world.callerOf(null), form(token));
    expect(first).toEqual({ ok: true, data: { email: 'first@example.test' } });
    expect(queryAudit(world.rt.db, { action: 'setup.first_admin', limit: 5 })[0]).toMatchObject({ outcome: 'success', sourceIp: '203.0.113.7' });

    const again = await createFirstAdmin(world.rt, world.callerOf(null), form(token));
    expect(again).toMatchObject({ ok: false, code: 'SETUP_CLOSED' });
    expect(countUsers(world.rt.db)).toBe(1);
  });
});
