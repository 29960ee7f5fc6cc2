import path from 'node:path';
import type { SessionUser } from '@/lib/dto/user';
import type { Caller } from '../auth/caller';
import type { Role } from '../auth/roles';
import { createSession } from '../db/sessions';
import { openTempDb } from '../db/test-support/temp-db';
import { insertUser } from '../db/user-admin';
import { FakeClock } from '../engine/test-support/fake-ports';
import { createRuntime, type Runtime } from '../runtime';
import type { Env } from '../env';

// A runtime for the account services' unit tests: a migrated temporary database and nothing of
// Docker, the registry or the project files, which those services never touch.

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
  const temp = openTempDb('tale-accounts-');
  const env: Env = {
    // The database's own temporary directory, so the setup token has somewhere to live.
    dataDir: path.dirname(temp.sqlite.name),
    deployDir: '/nonexistent/deploy',
    docker: { socketPath: '/nonexistent/docker.sock' },
    publicUrl: undefined,
    secureCookies: false,
    sessionSecret: 'x'.repeat(48),
    sessionMaxAgeSeconds: 3600,
    trustedProxies: [],
    signIn: { maxFailures: 5, lockoutSeconds: 900 },
    dev: false,
  };
  const none = {} as never;
  const rt = createRuntime({ env, db: temp.db, clock: new FakeClock(), docker: none, host: none, registry: none, project: none, logs: none });
  let n = 0;
  return {
    rt,
    addUser(role, passwordHash = 'not-a-hash') {
      const row = insertUser(temp.db, { email: `${role}${++n}@example.test`, name: `${role} ${n}`, role, passwordHash });
      if (row === 'exists') throw new Error('duplicate test user');
      return { id: row.id, email: row.email, name: row.name, role: row.role };
    },
    signIn: (user) => createSession(temp.db, user.id, HOUR_MS),
    callerOf: (user, sessionId = null) => ({ user, sourceIp: '203.0.113.7', sessionId }),
    dispose: temp.dispose,
  };
}
