import { beforeEach, describe, expect, it } from 'vitest';
import { fakeWorld, type FakeWorld } from '../engine/test-support/fake-ports';
import type { ContainerSpec } from '../stack/types';
import { runBackup } from './backup-engine';
import type { ExecRunner } from '../docker/exec-stream';
import { compareCounts, replayDeadlineMs, runDrill, type DrillPorts, type DrillSandbox, type SandboxExit, type SandboxSpec } from './drill';
import type { BackupManifest } from './manifest';
import { FakeDbContainer, MemoryRepository, MemoryVolumes } from './test-support/memory-ports';

// The drill over in-memory ports: the live db (FakeDbContainer) is backed up into a memory
// repository, then replayed into a second, empty FakeDbContainer that stands for the throwaway
// PostgreSQL. Checked: the comparison, the table named on a difference, the sandbox always removed,
// the live db never touched.

class FakeSandbox implements DrillSandbox {
  created: SandboxSpec[] = [];
  removed: string[] = [];
  /** How the throwaway server ended, given its spec (null: it runs). */
  exit: ((spec: SandboxSpec) => SandboxExit) | null = null;
  async create(spec: SandboxSpec) {
    this.created.push(spec);
  }
  async remove(name: string) {
    this.removed.push(name);
  }
  async removeLeftovers() {
    return { containers: [], networks: [] };
  }
  async exited(name: string, tail: number) {
    const spec = this.created.find((c) => c.name === name);
    if (!spec || !this.exit) return null;
    const exit = this.exit(spec);
    return { ...exit, logs: exit.logs.slice(-tail) };
  }
}

/** Docker's answer to an exec in a container that has stopped, as dockerode throws it. */
const notRunning = (name: string) => Object.assign(new Error(`(HTTP code 409) container is not running - Container ${name} is not running`), { statusCode: 409 });

/** The throwaway server's exec, failing as Docker does once the container has stopped. */
function stoppedAfter(inner: ExecRunner, calls: number): ExecRunner {
  let n = 0;
  return { start: (container, argv, opts) => (++n > calls ? Promise.reject(notRunning(container)) : inner.start(container, argv, opts)) };
}

async function failure(p: Promise<unknown>): Promise<Error & { code: string }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { code: string };
  }
  throw new Error('the drill passed');
}

describe('compareCounts', () => {
  it('names each table whose count differs or that is missing, and ignores tables only the restore has', () => {
    const expected = [
      { schema: 'public', table: 'a', rows: 3 },
      { schema: 'public', table: 'b', rows: 5 },
      { schema: 'public', table: 'c', rows: 0 },
    ];
    const restored = [
      { schema: 'public', table: 'a', rows: 3 },
      { schema: 'public', table: 'b', rows: 2 },
      { schema: 'tale', table: 'extra', rows: 9 },
    ];
    expect(compareCounts('db1', expected, restored)).toEqual([
      { database: 'db1', schema: 'public', table: 'b', expected: 5, restored: 2 },
      { database: 'db1', schema: 'public', table: 'c', expected: 0, restored: null },
    ]);
    expect(compareCounts('db1', expected.slice(0, 1), restored)).toEqual([]);
  });
});

describe('the restore drill', () => {
  let world: FakeWorld;
  let repo: MemoryRepository;
  let live: FakeDbContainer;
  let throwaway: FakeDbContainer;
  let sandbox: FakeSandbox;
  let manifest: BackupManifest;
  let snapshot: string;
  let ports: DrillPorts;

  beforeEach(async () => {
    world = fakeWorld();
    repo = new MemoryRepository();
    live = new FakeDbContainer();
    await world.docker.createContainer({ name: 'acme-db', image: 'registry.test/tale-db:1.0.0', labels: {}, network: { network: 'acme_internal', aliases: [] } } as unknown as ContainerSpec);
    await world.docker.startContainer('acme-db');
    const backupPorts = { ...world, repo, exec: live, volumes: new MemoryVolumes(), readProjectFiles: async () => ({}) };
    ({ manifest, manifestSnapshot: snapshot } = await runBackup(backupPorts, { kind: 'manual', startedBy: null }));
    throwaway = new FakeDbContainer();
    throwaway.dbs = {};
    sandbox = new FakeSandbox();
    ports = { ...backupPorts, exec: throwaway, sandbox };
    live.calls.length = 0;
  });

  it('passes on a good backup: every database restored into the throwaway server, counts equal, the sandbox removed', async () => {
    const r = await runDrill(ports, { snapshot, manifest });
    expect(r).toMatchObject({ passed: true, snapshot, backupId: manifest.backupId, databases: 3, tables: 4 });
    expect(throwaway.dbs).toEqual(live.dbs);
    expect(sandbox.created).toHaveLength(1);
    const spec = sandbox.created[0]!;
    // The stack's own db image (no pull), the drill's labels, and a password that is not the live one.
    expect(spec.image).toBe('registry.test/tale-db:1.0.0');
    expect(spec.labels).toMatchObject({ 'io.tale.console.role': 'restore-drill', project: 'acme', 'io.tale.console.backup': manifest.backupId });
    expect(spec.env.DB_PASSWORD).toMatch(/^[A-Za-z0-9_-]{32}$/);
    // The entrypoint's pg_ctl waits as long as the drill does (its 60 s default stopped the container under load).
    expect(spec.env.PGCTLTIMEOUT).toBe('120');
    expect(sandbox.removed).toEqual([spec.name]);
    // Every psql of the drill ran in the throwaway container, none in the live db.
    expect(live.calls).toEqual([]);
    expect(new Set(throwaway.calls.map((c) => c.split(' ')[0]))).toEqual(new Set([spec.name]));
  });

  it('fails naming the table and both counts when a restore comes back short, and still removes the sandbox', async () => {
    throwaway.lossyRestoreOf = 'tale_knowledge';
    const err = await failure(runDrill(ports, { snapshot, manifest }));
    expect(err.code).toBe('DRILL_ROWS_DIFFER');
    expect(err.message).toContain('tale_knowledge.private_knowledge.chunks (3 rows in the backup, 2 restored)');
    expect(err.message).toContain('tale_knowledge.public_web.websites (1 rows in the backup, 0 restored)');
    expect(err.message).not.toContain('tale_platform');
    expect(sandbox.removed).toEqual([sandbox.created[0]!.name]);
  });

  it('names every table of a database that did not come back at all', async () => {
    throwaway.failRestoreOf = 'tale_platform';
    const err = await failure(runDrill(ports, { snapshot, manifest }));
    expect(err.code).toBe('DRILL_ROWS_DIFFER');
    expect(err.message).toContain('tale_platform.public.documents (2 rows in the backup, missing after the restore)');
  });

  it('refuses a backup of another project before creating anything', async () => {
    const err = await failure(runDrill(ports, { snapshot, manifest: { ...manifest, projectId: 'other' } }));
    expect(err.code).toBe('BACKUP_OTHER_PROJECT');
    expect(sandbox.created).toEqual([]);
  });

  it('says the throwaway PostgreSQL exited, how, and its last log lines (scrubbed), instead of Docker\'s 409 on the next exec', async () => {
    sandbox.exit = (spec) => ({
      exitCode: 1,
      oomKilled: false,
      error: null,
      logs: [
        ...Array.from({ length: 30 }, (_, i) => `init line ${i}`),
        `FATAL:  password authentication failed; tried ${spec.env.DB_PASSWORD}`,
        'FATAL:  could not create shared memory segment: No space left on device',
      ],
    });
    ports = { ...ports, exec: stoppedAfter(throwaway, 0) };
    const err = await failure(runDrill(ports, { snapshot, manifest }));
    const spec = sandbox.created[0]!;
    expect(err.code).toBe('DRILL_FAILED');
    expect(err.message).toContain('The throwaway PostgreSQL exited with code 1');
    expect(err.message).toContain('could not create shared memory segment: No space left on device');
    // The last lines only, and never the password the drill gave it.
    expect(err.message).toContain('init line 29');
    expect(err.message).not.toContain('init line 10');
    expect(err.message).not.toContain(spec.env.DB_PASSWORD);
    expect(err.message).toContain('tried [redacted]');
    expect(err.message).not.toContain('409');
    expect(sandbox.removed).toEqual([spec.name]);
  });

  it('names a kill for memory, also when the server stops in the middle of a replay', async () => {
    sandbox.exit = () => ({ exitCode: 137, oomKilled: true, error: null, logs: [] });
    // Ready, init marker, DROP DATABASE of the first database, then it is gone.
    ports = { ...ports, exec: stoppedAfter(throwaway, 3) };
    const err = await failure(runDrill(ports, { snapshot, manifest }));
    expect(err.code).toBe('DRILL_FAILED');
    expect(err.message).toContain('killed for lack of memory (OOMKilled)');
    expect(err.message).toContain('It wrote no log line.');
  });

  it('fails DRILL_TIMEOUT naming the dump and where it stood when a replay stalls, cuts it, and removes the sandbox', async () => {
    // psql that reads its stdin to the end and then never exits: the stall once seen under load.
    let aborted = 0;
    const stalled: ExecRunner = {
      async start(container, argv, opts) {
        const run = await throwaway.start(container, argv, opts);
        if (!opts?.stdin) return run;
        return { ...run, exit: new Promise<number | null>(() => undefined), abort: () => void aborted++ };
      },
    };
    ports = { ...ports, exec: stalled };
    const t0 = Date.now();
    const err = await failure(runDrill(ports, { snapshot, manifest, replayDeadline: () => 50 }));
    console.log(`[drill] stalled replay reported after ${Date.now() - t0} ms: ${err.message}`);
    expect(err.code).toBe('DRILL_TIMEOUT');
    expect(err.message).toMatch(/replay of databases\/\w+\.sql did not finish within 0 s \([\d.]+ MB of [\d.]+ MB streamed into psql; restic's dump had ended; psql had not exited\)/);
    expect(aborted).toBe(1);
    expect(sandbox.removed).toEqual([sandbox.created[0]!.name]);
  });

  it('gives a replay at least 5 minutes, and more for a large dump', () => {
    expect(replayDeadlineMs(12 * 1024 * 1024)).toBe(300_000);
    expect(replayDeadlineMs(10 * 1024 * 1024 * 1024)).toBe(40_960_000);
  });

  it('says the throwaway PostgreSQL was removed by something else, instead of Docker\'s 404 on the next exec', async () => {
    sandbox.exit = () => ({ exitCode: null, oomKilled: false, error: null, logs: [], removed: true });
    ports = { ...ports, exec: stoppedAfter(throwaway, 3) };
    const err = await failure(runDrill(ports, { snapshot, manifest }));
    expect(err.code).toBe('DRILL_FAILED');
    expect(err.message).toContain('The throwaway PostgreSQL was removed by something else (another console removing drill leftovers at its start, or by hand)');
    expect(err.message).not.toContain('log line');
  });

  it('keeps the original error when the throwaway server still runs', async () => {
    ports = { ...ports, exec: stoppedAfter(throwaway, 0) };
    const err = await failure(runDrill(ports, { snapshot, manifest }));
    expect(err.message).toContain('(HTTP code 409)');
  });
});
