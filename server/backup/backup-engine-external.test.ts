import { PassThrough } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ExecStream } from '../docker/exec-stream';
import type { OneShotRunner, OneShotSpec } from '../docker/one-shot-stream';
import { fakeWorld, type FakeWorld } from '../engine/test-support/fake-ports';
import type { ContainerSpec } from '../stack/types';
import { runBackup, runRestore } from './backup-engine';
import type { BackupPorts } from './ports';
import { FakeDbContainer, MemoryRepository, MemoryVolumes } from './test-support/memory-ports';

// The backup engine with the services on an external PostgreSQL: the bundled db is stopped, the
// writers' environments point at the external server, and pg_dump and psql run through the
// one-shot runner (a fake server behind it). Checked: what is dumped from where, the manifest's
// source, that the password only ever travels in the container's environment, the coded error of
// an unreachable server with nothing stored, and the restore's refusal of a server no service uses.

const SECRET = 'r0le-s3cret';
const BASE = `postgresql://tale_app:${SECRET}@10.9.8.7:5432`;
const ENVS: Record<string, Record<string, string>> = {
  'acme-convex': { POSTGRES_URL: BASE },
  'acme-platform-blue': { POSTGRES_URL: BASE, RAG_DATABASE_URL: `${BASE}/tale_knowledge` },
  'acme-rag-blue': { RAG_DATABASE_URL: `${BASE}/tale_knowledge` },
  'acme-crawler-blue': { CRAWLER_DATABASE_URL: `${BASE}/tale_knowledge` },
};

class FakeOneShot implements OneShotRunner {
  specs: OneShotSpec[] = [];
  /** Exit code 2 with psql's connection error: the server is down. */
  down = false;
  constructor(readonly server: FakeDbContainer) {}
  async start(spec: OneShotSpec, opts?: { stdin?: boolean }): Promise<ExecStream> {
    this.specs.push(spec);
    if (this.down) {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      stdout.end();
      stderr.end('psql: error: connection to server at "10.9.8.7", port 5432 failed: timeout expired\n');
      return { stdout, stderr, stdin: null, exit: Promise.resolve(2), abort: () => undefined };
    }
    return this.server.start(spec.name, spec.argv, opts);
  }
}

describe('the backup engine with an external database', () => {
  let world: FakeWorld;
  let repo: MemoryRepository;
  let server: FakeDbContainer;
  let oneShot: FakeOneShot;
  let ports: BackupPorts;

  beforeEach(async () => {
    world = fakeWorld();
    repo = new MemoryRepository();
    server = new FakeDbContainer();
    delete server.dbs.tale; // the external server holds Tale's two databases only
    oneShot = new FakeOneShot(server);
    const bundled = new FakeDbContainer();
    ports = { ...world, repo, exec: bundled, volumes: new MemoryVolumes(), readProjectFiles: async () => ({}), oneShot, stackDbImage: async () => 'registry.test/tale-db:1.0.0' };
    // The bundled db exists but is stopped (the deploy that switched stopped it).
    await world.docker.createContainer({ name: 'acme-db', image: 'registry.test/tale-db:1.0.0', labels: {}, env: {}, network: { network: 'acme_internal', aliases: [] } } as unknown as ContainerSpec);
    for (const [name, env] of Object.entries(ENVS)) {
      await world.docker.createContainer({ name, image: `img/${name}:1`, labels: {}, env, network: { network: 'acme_internal', aliases: [] } } as unknown as ContainerSpec);
      await world.docker.startContainer(name);
      await world.docker.inspectContainer(name);
    }
  });

  it('dumps each of Tale databases from the external server through a one-shot container, the password only in its environment', async () => {
    const { manifest } = await runBackup(ports, { kind: 'manual', startedBy: null });
    expect(manifest.databases.map((d) => [d.name, d.source])).toEqual([
      ['tale_knowledge', { kind: 'external', host: '10.9.8.7', port: 5432, user: 'tale_app' }],
      ['tale_platform', { kind: 'external', host: '10.9.8.7', port: 5432, user: 'tale_app' }],
    ]);
    expect(manifest.databases.find((d) => d.name === 'tale_platform')!.tables).toEqual([{ schema: 'public', table: 'documents', rows: 2 }]);
    const dumps = oneShot.specs.filter((s) => s.argv[0] === 'pg_dump');
    expect(dumps.map((s) => s.argv)).toEqual([
      ['pg_dump', '--format=plain', '--clean', '--if-exists', '--no-owner', '--encoding=UTF8', '--username=tale_app', '--dbname=tale_knowledge'],
      ['pg_dump', '--format=plain', '--clean', '--if-exists', '--no-owner', '--encoding=UTF8', '--username=tale_app', '--dbname=tale_platform'],
    ]);
    for (const s of oneShot.specs) {
      expect(s).toMatchObject({ image: 'registry.test/tale-db:1.0.0', network: 'acme_internal' });
      expect(s.env.PGPASSWORD).toBe(SECRET);
      expect(JSON.stringify(s.argv)).not.toContain(SECRET);
    }
    expect(JSON.stringify(manifest)).not.toContain(SECRET);
    expect(JSON.stringify(world.events.events)).not.toContain(SECRET);
    expect([...repo.items.values()].map((i) => i.filename)).toContain('manifest.json');
  });

  it('fails with BACKUP_EXTERNAL_DB_UNREACHABLE naming host:port when the server is down, and keeps nothing', async () => {
    oneShot.down = true;
    const err = await runBackup(ports, { kind: 'manual', startedBy: null }).then(() => null, (e: unknown) => e as { code: string; message: string });
    expect(err?.code).toBe('BACKUP_EXTERNAL_DB_UNREACHABLE');
    expect(err?.message).toContain('10.9.8.7:5432');
    expect(err?.message).not.toContain(SECRET);
    expect(repo.items.size).toBe(0);
  });

  it('restores into the external server as the role: its relations dropped first, then the dump replayed, counts checked', async () => {
    const { manifest } = await runBackup(ports, { kind: 'manual', startedBy: null });
    server.dbs.tale_platform!['public.documents']!.push('d3');
    oneShot.specs.length = 0;
    const result = await runRestore(ports, { manifest });
    expect(result.databases).toEqual(['tale_knowledge', 'tale_platform']);
    expect(server.dbs.tale_platform!['public.documents']).toEqual(['d1', 'd2']);
    const platform = oneShot.specs.filter((s) => s.argv.includes('--dbname=tale_platform')).map((s) => s.argv.find((a) => a.startsWith('--command='))?.slice(10, 12) ?? s.argv[0]);
    expect(platform).toEqual(['DO', 'psql', 'SE']);
    // Never a DROP DATABASE: the role does not own it.
    expect(oneShot.specs.some((s) => s.argv.some((a) => a.includes('DROP DATABASE')))).toBe(false);
    expect(world.docker.calls.filter((c) => c.startsWith('stop')).length).toBeGreaterThan(0);
  });

  it('refuses, before any change, a restore whose external server no service uses now', async () => {
    const { manifest } = await runBackup(ports, { kind: 'manual', startedBy: null });
    const moved = { ...manifest, databases: manifest.databases.map((d) => ({ ...d, source: { kind: 'external' as const, host: 'old.example.net', port: 5432, user: 'tale_app' } })) };
    world.docker.calls.length = 0;
    const err = await runRestore(ports, { manifest: moved }).then(() => null, (e: unknown) => e as { code: string; message: string });
    expect(err?.code).toBe('RESTORE_EXTERNAL_DB_MISSING');
    expect(err?.message).toContain('old.example.net:5432');
    expect(world.docker.calls.filter((c) => c.startsWith('stop'))).toEqual([]);
  });
});
