import { Readable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeWorld, type FakeWorld } from '../engine/test-support/fake-ports';
import type { ContainerSpec } from '../stack/types';
import { BackupError } from './backup-error';
import { dumpArgv, readManifest, releaseDiffers, runBackup, runRestore } from './backup-engine';
import type { BackupManifest } from './manifest';
import type { BackupPorts } from './ports';
import { FakeDbContainer, MemoryRepository, MemoryVolumes } from './test-support/memory-ports';

// The backup engine against in-memory ports: a repository that keeps each stored stream, a db
// container whose pg_dump and psql work on a map of tables, and volumes as byte strings. What is
// checked is the engine's own logic: what goes into the repository and in which order, that only
// the manifest makes a backup complete, the writers stopped around a restore, the refusal of
// another project's backup, and what a failure leaves and says.

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

  it('runs the safety backup under the lock before any change, and a failing one changes nothing', async () => {
    const { manifest } = await runBackup(ports, { kind: 'manual', startedBy: null });
    const seen: string[] = [];
    await runRestore(ports, {
      manifest,
      beforeChanges: async () => {
        seen.push(`lock held: ${world.project.lockHeld}`, `stopped: ${world.docker.calls.filter((c) => c.startsWith('stop')).length}`);
        await runBackup(ports, { kind: 'pre-restore', startedBy: 'admin@example.com', lockHeld: true });
      },
    });
    expect(seen).toEqual(['lock held: true', 'stopped: 0']);
    world.docker.calls.length = 0;
    db.calls.length = 0;
    const failing = runRestore(ports, { manifest, beforeChanges: () => Promise.reject(new BackupError('BACKUP_TARGET_FULL', 'full')) });
    await expect(failing).rejects.toMatchObject({ code: 'BACKUP_TARGET_FULL' });
    expect(world.docker.calls).toEqual([]);
    expect(db.calls.some((c) => c.includes('DROP'))).toBe(false);
    expect(world.project.lockHeld).toBe(false);
  });

  it('starts again the writers an earlier restore left stopped, with those running now', async () => {
    const { manifest } = await runBackup(ports, { kind: 'manual', startedBy: null });
    // As an interrupted restore leaves them: stopped, and no longer "running" for this one to see.
    for (const w of WRITERS) await world.docker.stopContainer(w, 1);
    world.docker.calls.length = 0;
    const result = await runRestore(ports, { manifest, stoppedBefore: WRITERS });
    expect(result.restarted).toEqual(WRITERS);
    expect(world.docker.calls.filter((c) => c.startsWith('start')).map((c) => c.split(' ')[1])).toEqual([...WRITERS].reverse());
  });

  it('deploys the recorded release instead of starting the old writers when the live release differs', async () => {
    const { manifest } = await runBackup(ports, { kind: 'manual', startedBy: null });
    world.project.releases = [{ ...world.project.releases[0]!, version: '1.1.0', digests: { platform: 'sha256:q' }, color: 'green' }];
    const deployed: string[] = [];
    const result = await runRestore(ports, {
      manifest,
      deployRelease: async (release) => {
        deployed.push(`${release.version} ${JSON.stringify(release.digests)}`);
        return { color: 'green' };
      },
    });
    expect(deployed).toEqual(['1.0.0 {"platform":"sha256:p"}']);
    expect(result.release).toBe('1.0.0');
    // The new release started nothing of the old one: the old colour's writers were removed instead.
    expect(world.docker.calls.filter((c) => c.startsWith('start'))).toEqual([]);
    expect(world.docker.calls.filter((c) => c.startsWith('remove')).map((c) => c.split(' ')[1])).toEqual(['acme-platform-blue', 'acme-rag-blue', 'acme-crawler-blue']);
    expect(world.events.events.find((e) => e.step === 'restore' && e.data?.item === 'release' && e.status === 'succeeded')?.data).toMatchObject({ version: '1.0.0', from: '1.1.0', color: 'green' });
  });

  it('the same release live: no deploy', async () => {
    const { manifest } = await runBackup(ports, { kind: 'manual', startedBy: null });
    let called = false;
    await runRestore(ports, { manifest, deployRelease: async () => ((called = true), { color: 'green' }) });
    expect(called).toBe(false);
    expect(releaseDiffers(manifest.release, { version: '1.0.0', digests: { platform: 'sha256:other' } })).toBe(true);
    expect(releaseDiffers(null, undefined)).toBe(false);
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
