import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ExecRunner } from '../docker/exec-stream';
import { openTempDb } from '../db/test-support/temp-db';
import { FakeClock, FakeDocker, FakeProject, FakeRegistry } from '../engine/test-support/fake-ports';
import { createRuntime, type Runtime } from '../runtime';

// A whole Runtime for service tests, built from the engine's fake ports, a migrated SQLite and a
// deployment directory of the test's own files: the services run as the console runs them, with
// no Next.js, Docker Engine or network. Whatever a test does not hand in fails loudly if used.

export type RuntimeOfFakes = { rt: Runtime; deployDir: string; dispose(): void };

const unused = (what: string) => async (): Promise<never> => {
  throw new Error(`${what} is not part of this test`);
};

export function runtimeOfFakes(opts: { files?: Record<string, string>; exec?: ExecRunner; projectId?: string } = {}): RuntimeOfFakes {
  const temp = openTempDb('runtime-of-fakes-');
  const deployDir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-'));
  for (const [name, text] of Object.entries(opts.files ?? {})) fs.writeFileSync(path.join(deployDir, name), text, { mode: 0o600 });
  const clock = new FakeClock();
  const rt = createRuntime({
    env: {
      dataDir: path.dirname(deployDir),
      deployDir,
      docker: { socketPath: '/nonexistent.sock' },
      publicUrl: undefined,
      secureCookies: false,
      sessionSecret: 'x'.repeat(32),
      sessionMaxAgeSeconds: 3600,
      trustedProxies: [],
      signIn: { maxFailures: 5, lockoutSeconds: 900 },
      dev: false,
    },
    db: temp.db,
    clock,
    docker: new FakeDocker(clock),
    host: {
      status: async () => ({ reachable: false, reason: 'no Docker Engine in a unit test' }),
      stats: { stats: async () => null },
      run: unused('a captured docker exec'),
      exec: opts.exec ?? { start: unused('a streaming docker exec') },
    },
    registry: new FakeRegistry(['1.0.0']),
    project: new FakeProject(opts.projectId ?? 'acme'),
    logs: { deployDir, follower: { open: unused('a log follow'), state: async () => 'gone', sleep: async () => undefined } },
  });
  return {
    rt,
    deployDir,
    dispose: () => {
      temp.dispose();
      fs.rmSync(deployDir, { recursive: true, force: true });
    },
  };
}
