import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SessionUser } from '@/lib/dto/user';
import type { OperationDto } from '@/lib/dto/operations';
import type { Caller } from '../auth/caller';
import type { ExecRunner } from '../docker/exec-stream';
import type { NetworkProbe, ProbeResult, ProbeSpec } from '../docker/network-probe';
import { openTempDb } from '../db/test-support/temp-db';
import { fakeWorld, type FakeWorld } from '../engine/test-support/fake-ports';
import { createRuntime, type Runtime } from '../runtime';
import { localDir } from '../project/file-ops';
import { fakePreflightPort } from './fake-preflight';

// The one Runtime for unit tests of the services: the engine's fake ports, a migrated temporary
// SQLite database, a deployment directory holding the test's own files, and the runtime's own
// operations hub and write queue, so a service runs as the console runs it but without Next.js,
// Docker or a network. What a test does not fake throws when used.
//
// Two views of the project exist side by side: `world.project` is the engine's fake (what deploys
// read), `deployDir` holds real files for the services that read and write them (settings, the
// database copy).

export type FakeRuntime = { rt: Runtime; world: FakeWorld; deployDir: string; dispose(): void };

const notFaked = (what: string) => async (): Promise<never> => {
  throw new Error(`${what} is not faked in this test: hand it to fakeRuntime()`);
};

export function fakeRuntime(
  opts: {
    files?: Record<string, string>;
    exec?: ExecRunner;
    run?: Runtime['host']['run'];
    stats?: Runtime['host']['stats'];
    probe?: Runtime['host']['probe'];
    layerBytes?: Runtime['host']['layerBytes'];
    disk?: Runtime['host']['disk'];
    backups?: Partial<Runtime['backups']>;
    preflight?: Runtime['preflight'];
    /** Another environment than the local one (its operations, settings and alerts are its own). */
    environment?: Runtime['environment'];
  } = {},
): FakeRuntime {
  const temp = openTempDb('tc-runtime-');
  const deployDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-deploy-'));
  for (const [name, text] of Object.entries(opts.files ?? {})) fs.writeFileSync(path.join(deployDir, name), text, { mode: 0o600 });
  const world = fakeWorld();
  const rt = createRuntime({
    ...(opts.environment ? { environment: opts.environment } : {}),
    env: {
      // The database's own directory: the setup token lives beside it, as in production.
      dataDir: path.dirname(temp.sqlite.name),
      deployDir,
      docker: { socketPath: '/nonexistent/docker.sock' },
      publicUrl: undefined,
      secureCookies: false,
      sessionSecret: 'a-test-session-secret-that-is-long-enough-for-the-console',
      sessionMaxAgeSeconds: 3600,
      trustedProxies: [],
      signIn: { maxFailures: 5, lockoutSeconds: 900 },
      dev: false,
      backup: {
        repository: path.join(path.dirname(temp.sqlite.name), 'backups'),
        passwordFile: path.join(path.dirname(temp.sqlite.name), 'backup-password'),
        cacheDir: path.join(path.dirname(temp.sqlite.name), 'restic-cache'),
        restic: '/nonexistent/restic',
      },
      // A test that wants the watcher builds its own (server/watch/watcher.test.ts).
      healthWatch: false,
      alerts: { healthThresholdMs: 5 * 60_000, diskPercent: 90, memoryPercent: 90, diskPath: deployDir, checkIntervalMs: 5 * 60_000, tlsDays: 14 },
    },
    db: temp.db,
    clock: world.clock,
    docker: world.docker,
    host: {
      status: async () => ({ reachable: true, version: 'fake', apiVersion: 'fake' }),
      stats: opts.stats ?? { stats: notFaked('container stats') },
      run: opts.run ?? notFaked('a captured docker exec'),
      exec: opts.exec ?? { start: notFaked('a streaming docker exec') },
      probe: opts.probe ?? { run: notFaked('a network probe'), localImage: notFaked('a local image'), networkAddresses: notFaked('network addresses') },
      layerBytes: opts.layerBytes ?? notFaked('the layer storage size'),
      disk: opts.disk ?? { usage: notFaked('disk usage'), removeImage: notFaked('an image removal') },
      events: { open: notFaked('Docker events') },
    },
    registry: world.registry,
    project: world.project,
    files: localDir(deployDir),
    backups: {
      repo: opts.backups?.repo ?? notFakedRepository(),
      volumes: opts.backups?.volumes ?? { withHelper: notFaked('a volume helper') },
      readProjectFiles: opts.backups?.readProjectFiles ?? notFaked('the project files'),
      sandbox: opts.backups?.sandbox ?? { create: notFaked('a drill sandbox'), remove: notFaked('a drill sandbox'), removeLeftovers: notFaked('a drill sandbox'), exited: notFaked('a drill sandbox') },
      repositoryAt: opts.backups?.repositoryAt ?? (() => notFakedRepository()),
    },
    // Every check passes unless the test hands its own host figures.
    preflight: opts.preflight ?? fakePreflightPort(),
    logs: { files: localDir(deployDir), follower: { open: notFaked('a log follow'), state: notFaked('a container state'), version: notFaked('a container version'), sleep: (ms, signal) => world.clock.sleep(ms, signal) } },
  });
  return {
    rt,
    world,
    deployDir,
    dispose: () => {
      temp.dispose();
      fs.rmSync(deployDir, { recursive: true, force: true });
    },
  };
}

function notFakedRepository(): Runtime['backups']['repo'] {
  const no = notFaked('the backup repository');
  return {
    location: '/nonexistent/backups',
    isInitialised: async () => false,
    init: no,
    unlock: no,
    backupStdin: no,
    snapshots: no,
    dump: () => {
      throw new Error('the backup repository is not faked in this test: hand it to fakeRuntime()');
    },
    forget: no,
    prune: no,
    check: no,
  };
}

/** The caller of a request from `user`, from a fixed documentation address. */
export const callerOf = (user: SessionUser | null, sessionId: string | null = 's-1'): Caller => ({ user, sourceIp: '203.0.113.7', sessionId });

/** The operation's final state, heard through the hub as the console's event stream hears it. */
export function ended(rt: Runtime, id: string): Promise<OperationDto> {
  return new Promise((resolve) => {
    let off = () => {};
    off = rt.operations.subscribe(id, 0, (m) => {
      if (!('end' in m)) return;
      // subscribe() may deliver the end before it has returned the unsubscribe.
      queueMicrotask(() => off());
      resolve(m.end);
    });
  });
}

/**
 * A network probe (the database wizard's sign-in from the stack's network) that answers `result`
 * for every run and records what it was asked, with a local db image and the bridge at 172.17.0.1.
 */
export function fakeNetworkProbe(result: ProbeResult = { exitCode: 0, stdout: '17.5\n', stderr: '' }): NetworkProbe & { runs: ProbeSpec[] } {
  const runs: ProbeSpec[] = [];
  return {
    runs,
    run: async (spec) => (runs.push(spec), result),
    localImage: async (reference) => (reference.includes(':') ? null : `${reference}:1.0.0`),
    networkAddresses: async (network) =>
      network === 'bridge' ? { gateway: '172.17.0.1', subnet: '172.17.0.0/16' } : { gateway: '172.18.0.1', subnet: '172.18.0.0/16' },
  };
}
