import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../auth/password';
import { sessions } from '../db/schema/sessions';
import { accountWorld, type AccountWorld } from '../test-support/account-runtime';
import { changeOwnPassword } from './own-password';

// The old password may be what leaked: a change ends every other session of the user, and keeps
// the one it came from (the caller's), which just proved who it is.

let world: AccountWorld;
beforeEach(() => (world = accountWorld()));
afterEach(() => world.dispose());

const liveSessions = (userId: string) =>
  world.rt.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, userId)).all().map((s) => s.id);

describe('changing one’s own password', () => {
  it('ends the other sessions of the user and keeps the caller’s', async () => {
    const user = world.addUser('viewer', await hashPassword('old password 123'));
    const here = world.signIn(user);
    const elsewhere = world.signIn(user);
    const someoneElse = world.addUser('viewer');
    const theirs = world.signIn(someoneElse);

    const result = await changeOwnPassword(world.rt, world.callerOf(user, here), { currentPassword: 'old password 123', newPassword: 'new password 456', confirm: 'new password 456' });

    expect(result).toEqual({ ok: true, data: undefined });
    expect(liveSessions(user.id)).toEqual([here]);
    expect(liveSessions(someoneElse.id)).toEqual([theirs]);
    expect(liveSessions(user.id)).not.toContain(elsewhere);
  });

  it('is open to an admin the enrol-first gate holds: it takes nothing away that the gate protects', async () => {
    const admin = { ...world.addUser('admin', await hashPassword('old password 123')), mustEnrolTotp: true as const };
    const result = await changeOwnPassword(world.rt, world.callerOf(admin, world.signIn(admin)), { currentPassword: 'old password 123', newPassword: 'new password 456', confirm: 'new password 456' });
    expect(result).toEqual({ ok: true, data: undefined });
  });
});
