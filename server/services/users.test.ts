import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryAudit } from '../db/audit-log';
import { sessions } from '../db/schema/sessions';
import { accountWorld, type AccountWorld } from '../test-support/account-runtime';
import { resetPassword } from './users';

// An admin's reset of a password ends the user's sessions; when admins reset their own, the
// session they act from stays (the caller's), so they are not signed out by their own change.

let world: AccountWorld;
beforeEach(() => (world = accountWorld()));
afterEach(() => world.dispose());

const liveSessions = (userId: string) =>
  world.rt.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, userId)).all().map((s) => s.id);
const newPassword = 'a new password 789';

describe('resetting a password', () => {
  it('is refused to an operator, and the user’s sessions stay', async () => {
    const operator = world.addUser('operator');
    const viewer = world.addUser('viewer');
    const theirs = world.signIn(viewer);
    const result = await resetPassword(world.rt, world.callerOf(operator), { id: viewer.id, password: newPassword });
    expect(result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(liveSessions(viewer.id)).toEqual([theirs]);
  });

  it('ends every session of another user', async () => {
    const admin = world.addUser('admin');
    const viewer = world.addUser('viewer');
    world.signIn(viewer);
    const result = await resetPassword(world.rt, world.callerOf(admin, world.signIn(admin)), { id: viewer.id, password: newPassword });
    expect(result).toEqual({ ok: true, data: undefined });
    expect(liveSessions(viewer.id)).toEqual([]);
    expect(queryAudit(world.rt.db, { action: 'users.reset_password', limit: 5 })[0]).toMatchObject({ outcome: 'success', sourceIp: '203.0.113.7', target: viewer.id });
  });

  it('of the admin themself keeps the session they act from and ends the others', async () => {
    const admin = world.addUser('admin');
    const here = world.signIn(admin);
    world.signIn(admin);
    const result = await resetPassword(world.rt, world.callerOf(admin, here), { id: admin.id, password: newPassword });
    expect(result).toEqual({ ok: true, data: undefined });
    expect(liveSessions(admin.id)).toEqual([here]);
  });
});
