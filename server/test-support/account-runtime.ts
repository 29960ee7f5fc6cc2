import type { SessionUser } from '@/lib/dto/user';
import type { Caller } from '../auth/caller';
import type { Role } from '../auth/roles';
import { createSession } from '../db/sessions';
import { insertUser } from '../db/user-admin';
import type { Runtime } from '../runtime';
import { callerOf, fakeRuntime } from './fake-runtime';

// The fake runtime with what the account services' tests add: users and their console sessions.

const HOUR_MS = 3_600_000;

export type AccountWorld = {
  rt: Runtime;
  /** A user with the given role and password hash (the tests that check a password hash one themselves). */
  addUser(role: Role, passwordHash?: string): SessionUser;
  /** A live console session of the user, as a sign-in records it. */
  signIn(user: SessionUser): string;
  /** The caller of a request from `user` acting from `sessionId`. */
  callerOf(user: SessionUser | null, sessionId?: string | null): Caller;
  dispose(): void;
};

export function accountWorld(): AccountWorld {
  const { rt, dispose } = fakeRuntime();
  let n = 0;
  return {
    rt,
    addUser(role, passwordHash = 'not-a-hash') {
      const row = insertUser(rt.db, { email: `${role}${++n}@example.test`, name: `${role} ${n}`, role, passwordHash });
      if (row === 'exists') throw new Error('duplicate test user');
      return { id: row.id, email: row.email, name: row.name, role: row.role };
    },
    signIn: (user) => createSession(rt.db, user.id, HOUR_MS),
    callerOf: (user, sessionId = null) => callerOf(user, sessionId),
    dispose,
  };
}
