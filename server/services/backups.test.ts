import fs from 'node:fs';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import { FakeDbContainer, MemoryRepository, MemoryVolumes } from '../backup/test-support/memory-ports';
import { queryAudit } from '../db/audit-log';
import type { ContainerSpec } from '../stack/types';
import { callerOf, ended, fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { externalServersOf, listBackups, startBackup, startRestore } from './backups';

// The backups service over the fake runtime and in-memory backup ports: the roles, the password
// shown once, the typed confirmation, the refusals (another project, unknown backup, an operation
// running) and their audit rows.

const user = (role: SessionUser['role']): SessionUser => ({ id: `u-${role}`, email: `${role}@example.com`, name: role, role });
const admin = callerOf(user('admin'));
const operator = callerOf(user('operator'));


let f: FakeRuntime;
let repo: MemoryRepository;
beforeEach(async () => {
  repo = new MemoryRepository();
  repo.initialised = false;
  f = fakeRuntime({ exec: new FakeDbContainer(), backups: { repo, volumes: new MemoryVolumes(), readProjectFiles: async () => ({ 'tale.json': Buffer.from('{}') }) } });
  for (const name of ['acme-db', 'acme-platform-blue', 'acme-rag-blue', 'acme-crawler-blue', 'acme-convex']) {
    await f.world.docker.createContainer({ name, image: 'img:1', labels: {}, network: { network: 'acme_internal', aliases: [] } } as unknown as ContainerSpec);
    await f.world.docker.startContainer(name);
  }
});
afterEach(() => f.dispose());

async function backUp(by = admin): Promise<{ password: string | null; backup: string }> {
  const started = await startBackup(f.rt, by, {});
  if (!started.ok) throw new Error(`refused: ${started.code} ${started.message}`);
  const end = await ended(f.rt, started.data.id);
  expect(end.status, JSON.stringify(end.error)).toBe('succeeded');
  return { password: started.data.repositoryPassword, backup: String(end.result?.backup) };
}

describe('the backups service', () => {
  it('creates the repository on an admin’s first backup and answers its password once, stored 0600', async () => {
    expect(await startBackup(f.rt, operator, {})).toMatchObject({ ok: false, code: 'FIRST_BACKUP_BY_ADMIN' });
    expect(fs.existsSync(f.rt.env.backup.passwordFile)).toBe(false);
    const first = await backUp();
    expect(first.password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const file = f.rt.env.backup.passwordFile;
    expect(fs.readFileSync(file, 'utf8')).toBe(first.password);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const second = await backUp(operator);
    expect(second.password).toBeNull();
    expect(fs.readFileSync(file, 'utf8')).toBe(first.password);

    const list = await listBackups(f.rt, operator);
    expect(list.backups.map((b) => b.id).sort()).toEqual([first.backup, second.backup].sort());
    for (const b of list.backups) expect(b).toMatchObject({ projectId: 'acme', kind: 'manual' });
    expect(list.backups.map((b) => b.startedBy).sort()).toEqual(['admin@example.com', 'operator@example.com']);
    const audit = JSON.stringify(queryAudit(f.rt.db, { limit: 500 }));
    expect(audit).toContain('backups.repository_init');
    expect(audit.includes(first.password!)).toBe(false);
  });

  it('lets operators back up and only admins restore', async () => {
    expect(await startBackup(f.rt, callerOf(user('viewer')), {})).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await startRestore(f.rt, operator, { snapshot: 'a'.repeat(64), projectId: 'acme' })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    await expect(listBackups(f.rt, callerOf(user('viewer')))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await startBackup(f.rt, operator, { kind: 'scheduled' })).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
  });

  it('refuses a wrong typed id, an unknown backup and another project’s, each audited and nothing started', async () => {
    const { backup } = await backUp();
    expect(await startRestore(f.rt, admin, { snapshot: backup, projectId: 'other' })).toMatchObject({ ok: false, code: 'CONFIRMATION_MISMATCH' });
    expect(await startRestore(f.rt, admin, { snapshot: 'f'.repeat(64), projectId: 'acme' })).toMatchObject({ ok: false, code: 'BACKUP_NOT_FOUND' });
    // The real manifest stored again under another project's tag and id.
    const manifest = JSON.parse((await repo.items.get(backup))!.data.toString()) as Record<string, unknown>;
    const forged = await repo.backupStdin(Readable.from([Buffer.from(JSON.stringify({ ...manifest, projectId: 'other-project' }))]), {
      filename: 'manifest.json',
      tags: ['tale-project:other-project', 'tale-manifest'],
    });
    const refused = await startRestore(f.rt, admin, { snapshot: forged.snapshotId, projectId: 'acme' });
    expect(refused).toMatchObject({ ok: false, code: 'BACKUP_OTHER_PROJECT' });
    expect(f.world.docker.calls.filter((c) => c.startsWith('stop'))).toEqual([]);
    const denied = queryAudit(f.rt.db, { limit: 500 }).filter((e) => e.action === 'operations.restore' && e.outcome === 'denied');
    expect(denied).toHaveLength(3);
    // Another project's backup is not listed either.
    expect((await listBackups(f.rt, admin)).backups.map((b) => b.id)).toEqual([backup]);
  });

  it('refuses a restore while a backup runs, then restores once it is done', async () => {
    const { backup } = await backUp();
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    const store = repo.backupStdin.bind(repo);
    repo.backupStdin = async (input, opts) => (await held, store(input, opts));
    const running = await startBackup(f.rt, operator, {});
    if (!running.ok) throw new Error(running.code);
    expect(await startRestore(f.rt, admin, { snapshot: backup, projectId: 'acme' })).toMatchObject({ ok: false, code: 'OPERATION_IN_PROGRESS' });
    release();
    await ended(f.rt, running.data.id);

    const restore = await startRestore(f.rt, admin, { snapshot: backup, projectId: 'acme' });
    if (!restore.ok) throw new Error(`${restore.code} ${restore.message}`);
    const end = await ended(f.rt, restore.data.id);
    expect(end.status, JSON.stringify(end.error)).toBe('succeeded');
    expect(end.result).toMatchObject({ restarted: ['acme-platform-blue', 'acme-rag-blue', 'acme-crawler-blue', 'acme-convex'] });
  });
});

describe('the external servers a restore must name', () => {
  const manifestWith = (sources: ({ kind: 'bundled' } | { kind: 'external'; host: string; port: number; user: string } | undefined)[]) =>
    ({ databases: sources.map((source, i) => ({ name: `db${i}`, snapshotId: 'abcdef01', bytes: 0, dataAdded: 0, tables: [], ...(source ? { source } : {}) })) }) as unknown as Parameters<typeof externalServersOf>[0];

  it('is none for a bundled backup, old manifests without a source included', () => {
    expect(externalServersOf(manifestWith([undefined, { kind: 'bundled' }]))).toBeNull();
  });

  it('names each external server once, as host:port, IPv6 in brackets', () => {
    const ext = (host: string, port = 5432) => ({ kind: 'external' as const, host, port, user: 'tale' });
    expect(externalServersOf(manifestWith([ext('10.0.0.5'), ext('10.0.0.5'), { kind: 'bundled' }]))).toBe('10.0.0.5:5432');
    expect(externalServersOf(manifestWith([ext('pg.example.net', 6432), ext('fd00::7')]))).toBe('[fd00::7]:5432, pg.example.net:6432');
  });
});
