import { PassThrough, Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ExecRunner, ExecStream } from '../docker/exec-stream';
import { fakeWorld, type FakeWorld } from '../engine/test-support/fake-ports';
import type { ContainerSpec } from '../stack/types';
import { dumpArgv, readManifest, runBackup, runRestore } from './backup-engine';
import type { BackupManifest } from './manifest';
import type { BackupPorts, BackupRepository, RepositorySnapshot, VolumeArchiver } from './ports';

// The backup engine against in-memory ports: a repository that keeps each stored stream, a db
// container whose pg_dump and psql work on a map of tables, and volumes as byte strings. What is
// checked is the engine's own logic: what goes into the repository and in which order, that only
// the manifest makes a backup complete, the writers stopped around a restore, the refusal of
// another project's backup, and what a failure leaves and says.

type Tables = Record<string, string[]>; // "schema.table" → rows
type FakeDb = Record<string, Tables>;

const read = async (s: Readable) => {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(Buffer.from(c as Buffer));
  return Buffer.concat(parts);
};

class MemoryRepository implements BackupRepository {
  readonly location = '/mem/repo';
  readonly items = new Map<string, { filename: string; tags: string[]; data: Buffer }>();
  readonly forgotten: string[] = [];
  initialised = true;
  private seq = 0;
  async isInitialised() {
    return this.initialised;
  }
  async init() {
    this.initialised = true;
  }
  async unlock() {}
  async backupStdin(input: Readable, opts: { filename: string; tags: string[]; onBytes?: (n: number) => void }) {
    const data = await read(input);
    opts.onBytes?.(data.length);
    const id = (++this.seq).toString(16).padStart(64, '0');
    this.items.set(id, { filename: opts.filename, tags: opts.tags, data });
    return { snapshotId: id, bytes: data.length, dataAdded: Math.ceil(data.length / 2) };
  }
  async snapshots(tags: string[]): Promise<RepositorySnapshot[]> {
    return [...this.items.entries()]
      .filter(([, i]) => tags.every((t) => i.tags.includes(t)))
      .map(([id, i]) => ({ id, shortId: id.slice(-8), time: '2026-01-01T00:00:00Z', paths: [`/${i.filename}`], tags: i.tags }));
  }
  dump(id: string, filename: string) {
    const item = this.items.get(id);
    if (!item || `/${item.filename}` !== filename) {
      const stream = Readable.from([]);
      return { stream, done: Promise.reject(new Error(`no ${filename} in ${id}`)) };
    }
    return { stream: Readable.from([item.data]), done: Promise.resolve() };
  }
  async forget(ids: string[]) {
    for (const id of ids) this.items.delete(id);
    this.forgotten.push(...ids);
  }
}

/** pg_dump, psql and the restore as the engine calls them, over a map of databases. */
class FakeDbContainer implements ExecRunner {
  dbs: FakeDb = {
    tale: { 'tale.settings': ['a'] },
    tale_knowledge: { 'private_knowledge.chunks': ['c1', 'c2', 'c3'], 'public_web.websites': ['w1'] },
    tale_platform: { 'public.documents': ['d1', 'd2'] },
  };
  calls: string[] = [];
  failDumpOf: string | null = null;
  failRestoreOf: string | null = null;
  /** The restore of this database loses its last row of each table. */
  lossyRestoreOf: string | null = null;

  async start(container: string, argv: readonly string[], opts?: { stdin?: boolean }): Promise<ExecStream> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const stdin = opts?.stdin ? new PassThrough() : null;
    const db = argv.find((a) => a.startsWith('--dbname='))?.slice('--dbname='.length) ?? '';
    const command = argv.find((a) => a.startsWith('--command='))?.slice('--command='.length);
    this.calls.push(`${container} ${argv[0]} ${db}${command ? ` ${command.split(' ')[0]}` : ''}`);
    const run = async (): Promise<number> => {
      if (argv[0] === 'pg_dump') {
        if (this.failDumpOf === db) {
          stdout.end(`DUMP ${db}:{"partial`);
          stderr.end('pg_dump: error: connection lost');
          return 1;
        }
        stdout.end(`DUMP ${db}:${JSON.stringify(this.dbs[db])}`);
        stderr.end();
        return 0;
      }
      if (command?.startsWith('SELECT datname')) {
        stdout.end(Object.keys(this.dbs).sort().join('\n') + '\n');
      } else if (command?.startsWith('SELECT json_build_object')) {
        const tables = Object.entries(this.dbs[db] ?? {}).map(([k, rows]) => ({ schema: k.split('.')[0], table: k.split('.')[1], rows: rows.length }));
        stdout.end(JSON.stringify({ tables, extensions: [] }));
      } else if (command?.startsWith('DROP DATABASE')) {
        delete this.dbs[/"(.+)"/.exec(command)![1]!];
        stdout.end();
      } else if (stdin) {
        const text = (await read(stdin)).toString();
        const m = /^DUMP ([a-z_]+):(.*)$/s.exec(text)!;
        if (this.failRestoreOf === m[1]) {
          stdout.end();
          stderr.end('ERROR:  out of disk');
          return 3;
        }
        const tables = JSON.parse(m[2]!) as Tables;
        if (this.lossyRestoreOf === m[1]) for (const k of Object.keys(tables)) tables[k] = tables[k]!.slice(0, -1);
        this.dbs[m[1]!] = tables;
        stdout.end();
      } else stdout.end();
      stderr.end();
      return 0;
    };
    // Like Docker's: the exit code comes once the output has been read to its end.
    const exit = run().then(async (code) => {
      await Promise.all([finished(stdout), finished(stderr)]);
      return code;
    });
    return { stdout, stderr, stdin, exit, abort: () => undefined };
  }
}

class MemoryVolumes implements VolumeArchiver {
  data: Record<string, string> = { 'convex-data': 'convex files', 'rag-data': 'rag files', 'crawler-data': 'crawler files', 'caddy-data': 'certificates' };
  helpers: string[] = [];
  async withHelper<T>(spec: Parameters<VolumeArchiver['withHelper']>[0], fn: Parameters<VolumeArchiver['withHelper']>[1]): Promise<T> {
    this.helpers.push(`${spec.name} ${spec.readOnly ? 'ro' : 'rw'} ${spec.volumes.map((v) => v.name).join(',')}`);
    return fn({
      read: async (key) => Readable.from([Buffer.from(`TAR ${key}:${this.data[key]}`)]),
      empty: async () => {
        for (const v of spec.volumes) this.data[v.key] = '';
      },
      write: async (key, tar) => {
        this.data[key] = (await read(tar)).toString().replace(`TAR ${key}:`, '');
      },
    }) as Promise<T>;
  }
}

const WRITERS = ['acme-platform-blue', 'acme-rag-blue', 'acme-crawler-blue', 'acme-convex'];

async function addRunning(world: FakeWorld, name: string, image = `img/${name}:1`) {
  await world.docker.createContainer({ name, image, labels: {}, network: { network: 'acme_internal', aliases: [] } } as unknown as ContainerSpec);
  await world.docker.startContainer(name);
  await world.docker.inspectContainer(name); // one poll: healthy
}

describe('the backup engine', () => {
  let world: FakeWorld;
  let repo: MemoryRepository;
  let db: FakeDbContainer;
  let volumes: MemoryVolumes;
  let ports: BackupPorts;

  beforeEach(async () => {
    world = fakeWorld();
    world.project.releases = [{ version: '1.0.0', digests: { platform: 'sha256:p' }, color: 'blue', kind: 'deploy', actor: 'a@example.com', at: '2026-01-01T00:00:00Z', envHash: 'e', overrideHash: 'o' }];
    repo = new MemoryRepository();
    db = new FakeDbContainer();
    volumes = new MemoryVolumes();
    ports = { ...world, repo, exec: db, volumes, readProjectFiles: async () => ({ 'tale.json': Buffer.from('{"id":"acme"}'), '.env': Buffer.from('DB_PASSWORD=s3cret-value\n') }) };
    await addRunning(world, 'acme-db', 'registry.test/tale-db:1.0.0');
    for (const w of WRITERS) await addRunning(world, w);
    world.docker.calls.length = 0;
  });

  it('stores every database, each state volume, the project files and then the manifest, under the lock', async () => {
    const { manifest, manifestSnapshot } = await runBackup(ports, { kind: 'manual', startedBy: 'op@example.com' });
    const files = [...repo.items.values()].map((i) => i.filename);
    expect(files).toEqual([
      'databases/tale.sql',
      'databases/tale_knowledge.sql',
      'databases/tale_platform.sql',
      'volumes/convex-data.tar',
      'volumes/rag-data.tar',
      'volumes/crawler-data.tar',
      'volumes/caddy-data.tar',
      'project/files.json',
      'manifest.json',
    ]);
    // Every part carries the project and the backup; only the manifest carries the manifest tag.
    for (const item of repo.items.values()) expect(item.tags).toEqual(expect.arrayContaining(['tale-project:acme', `tale-backup:${manifest.backupId}`]));
    expect([...repo.items.values()].filter((i) => i.tags.includes('tale-manifest')).map((i) => i.filename)).toEqual(['manifest.json']);
    expect(world.project.writes).toContain('lock backup');
    expect(world.project.lockHeld).toBe(false);

    expect(manifest.projectId).toBe('acme');
    expect(manifest.startedBy).toBe('op@example.com');
    expect(manifest.release?.version).toBe('1.0.0');
    expect(manifest.databases.find((d) => d.name === 'tale_knowledge')?.tables).toEqual([
      { schema: 'private_knowledge', table: 'chunks', rows: 3 },
      { schema: 'public_web', table: 'websites', rows: 1 },
    ]);
    expect(manifest.volumes.map((v) => v.name)).toEqual(['acme_convex-data', 'acme_rag-data', 'acme_crawler-data', 'acme_caddy-data']);
    expect(manifest.projectFiles.files).toEqual(['.env', 'tale.json']);
    // The volumes were read through a read-only helper made from the db's image.
    expect(volumes.helpers).toEqual(['acme-backup-helper ro acme_convex-data,acme_rag-data,acme_crawler-data,acme_caddy-data']);
    // Read back from the repository, the manifest is the same.
    expect(await readManifest(ports, manifestSnapshot)).toEqual(manifest);
    // A backup stops nothing.
    expect(world.docker.calls.filter((c) => c.startsWith('stop'))).toEqual([]);
  });

  it('dumps with CREATE DATABASE and the database settings, as the superuser of .env', async () => {
    world.project.env.DB_USER = 'owner_role';
    await runBackup(ports, { kind: 'manual', startedBy: null });
    expect(dumpArgv('owner_role', 'tale_platform')).toEqual(['pg_dump', '--format=plain', '--create', '--encoding=UTF8', '--username=owner_role', '--dbname=tale_platform']);
    expect(db.calls.filter((c) => c.includes('pg_dump'))).toEqual(['acme-db pg_dump tale', 'acme-db pg_dump tale_knowledge', 'acme-db pg_dump tale_platform']);
  });

  it('a pg_dump that fails makes the whole backup fail and forgets the parts already stored', async () => {
    db.failDumpOf = 'tale_knowledge';
    await expect(runBackup(ports, { kind: 'manual', startedBy: null })).rejects.toMatchObject({ code: 'BACKUP_DUMP_FAILED', message: expect.stringContaining('connection lost') });
    expect(repo.items.size).toBe(0);
    expect(repo.forgotten).toHaveLength(2); // tale and the truncated tale_knowledge
    expect(await repo.snapshots(['tale-manifest'])).toEqual([]);
    expect(world.project.lockHeld).toBe(false);
  });

  it('refuses to back up without a running db container', async () => {
    await world.docker.stopContainer('acme-db', 10);
    await expect(runBackup(ports, { kind: 'manual', startedBy: null })).rejects.toMatchObject({ code: 'BACKUP_DB_NOT_RUNNING' });
    expect(repo.items.size).toBe(0);
  });

  it('restores the databases and volumes with the writers stopped, then starts them and waits for health', async () => {
    const { manifest } = await runBackup(ports, { kind: 'manual', startedBy: null });
    // Data changes and goes after the backup.
    db.dbs.tale_platform!['public.documents']!.push('d3');
    delete db.dbs.tale_knowledge!['public_web.websites'];
    volumes.data['rag-data'] = 'changed';
    volumes.data['caddy-data'] = '';
    const before = structuredClone(db.dbs);
    before.tale_platform!['public.documents'] = ['d1', 'd2'];
    before.tale_knowledge!['public_web.websites'] = ['w1'];

    const result = await runRestore(ports, { manifest });
    expect(db.dbs).toEqual(before);
    expect(volumes.data).toEqual({ 'convex-data': 'convex files', 'rag-data': 'rag files', 'crawler-data': 'crawler files', 'caddy-data': 'certificates' });
    expect(result.restarted).toEqual(WRITERS);

    // Every writer stopped before the first database was dropped, started again only afterwards.
    const calls = world.docker.calls;
    expect(calls.filter((c) => c.startsWith('stop')).map((c) => c.split(' ')[1])).toEqual(WRITERS);
    expect(calls.filter((c) => c.startsWith('start')).map((c) => c.split(' ')[1])).toEqual([...WRITERS].reverse());
    expect(calls.some((c) => c.includes('acme-db'))).toBe(false);
    const outline = world.events.outline();
    expect(outline.indexOf('restore:succeeded')).toBeGreaterThan(0);
    expect(world.events.events.find((e) => e.step === 'restore' && e.data?.item === 'stop-writers')?.data?.containers).toEqual(WRITERS);
    expect(world.events.events.filter((e) => e.step === 'health').length).toBeGreaterThan(0);
    expect(db.calls.filter((c) => c.includes('DROP'))).toEqual(['acme-db psql postgres DROP', 'acme-db psql postgres DROP', 'acme-db psql postgres DROP']);
    expect(volumes.helpers.at(-1)).toBe('acme-restore-helper rw acme_convex-data,acme_rag-data,acme_crawler-data,acme_caddy-data');
  });

  it('refuses a backup of another project before stopping anything', async () => {
    const { manifest } = await runBackup(ports, { kind: 'manual', startedBy: null });
    const foreign: BackupManifest = { ...manifest, projectId: 'other-project' };
    await expect(runRestore(ports, { manifest: foreign })).rejects.toMatchObject({ code: 'BACKUP_OTHER_PROJECT' });
    expect(world.docker.calls).toEqual([]);
    expect(db.calls.some((c) => c.includes('DROP'))).toBe(false);
  });

  it('a restore that fails half-way leaves the writers stopped and says what was and was not restored', async () => {
    const { manifest } = await runBackup(ports, { kind: 'manual', startedBy: null });
    db.failRestoreOf = 'tale_knowledge';
    const err = (await runRestore(ports, { manifest }).then(
      () => ({ code: 'none', message: 'resolved' }),
      (e: unknown) => e as { code: string; message: string },
    ));
    expect(err).toMatchObject({ code: 'RESTORE_FAILED' });
    expect(err.message).toContain('stopped at tale_knowledge');
    expect(err.message).toContain('out of disk');
    expect(err.message).toContain('Restored: tale.');
    expect(err.message).toContain('Not restored: tale_knowledge, tale_platform, convex-data, rag-data, crawler-data, caddy-data');
    expect(err.message).toContain('writers stay stopped');
    expect(world.docker.calls.filter((c) => c.startsWith('start'))).toEqual([]);
    expect(world.project.lockHeld).toBe(false);
  });

  it('a restored database whose row counts differ from the backup is a failed restore', async () => {
    const { manifest } = await runBackup(ports, { kind: 'manual', startedBy: null });
    db.lossyRestoreOf = 'tale_platform';
    await expect(runRestore(ports, { manifest })).rejects.toMatchObject({ code: 'RESTORE_FAILED', message: expect.stringContaining('row counts differ from the backup’s in public.documents'.replace('’', "'")) });
  });

  it('a cancel before the restore starts changes nothing', async () => {
    const { manifest } = await runBackup(ports, { kind: 'manual', startedBy: null });
    const controller = new AbortController();
    controller.abort();
    await expect(runRestore(ports, { manifest, signal: controller.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(world.docker.calls).toEqual([]);
  });

  it('reads no manifest that the repository does not hold or whose tag names another project', async () => {
    await expect(readManifest(ports, 'f'.repeat(64))).rejects.toMatchObject({ code: 'BACKUP_NOT_FOUND' });
    const forged = Readable.from([Buffer.from(JSON.stringify({ hello: 'world' }))]);
    const { snapshotId } = await repo.backupStdin(forged, { filename: 'manifest.json', tags: ['tale-project:acme', 'tale-manifest'] });
    await expect(readManifest(ports, snapshotId)).rejects.toMatchObject({ code: 'BACKUP_MANIFEST_INVALID' });
    const { manifest } = await runBackup(ports, { kind: 'manual', startedBy: null });
    const retagged = await repo.backupStdin(Readable.from([Buffer.from(JSON.stringify(manifest))]), { filename: 'manifest.json', tags: ['tale-project:other', 'tale-manifest'] });
    await expect(readManifest(ports, retagged.snapshotId)).rejects.toMatchObject({ code: 'BACKUP_MANIFEST_INVALID' });
  });
});
