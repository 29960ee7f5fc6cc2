import { openTempDb } from '../db/test-support/temp-db';
import { fakeWorld, type FakeWorld } from '../engine/test-support/fake-ports';
import { createRuntime, type Runtime, type RuntimeParts } from '../runtime';

// A whole runtime for unit tests of the services: the engine's fake ports, a migrated temporary
// SQLite database and the runtime's own operations hub, so a service runs exactly as under Next.js
// but without it and without Docker. What a test does not fake throws when used.

export type FakeRuntime = { rt: Runtime; world: FakeWorld; dispose(): void };

const notFaked = (what: string) => async (): Promise<never> => {
  throw new Error(`${what} is not faked in this test: pass it to fakeRuntime()`);
};

export function fakeRuntime(overrides: Partial<RuntimeParts> = {}): FakeRuntime {
  const temp = openTempDb('tc-runtime-');
  const world = fakeWorld();
  const rt = createRuntime({
    env: {
      dataDir: '/nonexistent/tale-console',
      deployDir: world.project.dir,
      docker: { socketPath: '/nonexistent/docker.sock' },
      publicUrl: undefined,
      secureCookies: false,
      sessionSecret: 'a-test-session-secret-that-is-long-enough-for-the-console',
      sessionMaxAgeSeconds: 3600,
      trustedProxies: [],
      signIn: { maxFailures: 5, lockoutSeconds: 900 },
      dev: false,
    },
    db: temp.db,
    clock: world.clock,
    docker: world.docker,
    host: {
      status: async () => ({ reachable: true, version: 'fake', apiVersion: 'fake' }),
      stats: { stats: notFaked('container stats') },
      run: notFaked('docker exec'),
      exec: { start: notFaked('docker exec') },
    },
    registry: world.registry,
    project: world.project,
    logs: { deployDir: world.project.dir, follower: { open: notFaked('container logs'), state: notFaked('container state'), sleep: (ms, signal) => world.clock.sleep(ms, signal) } },
    ...overrides,
  });
  return { rt, world, dispose: temp.dispose };
}
