import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import { itemFile, tags, type BackupManifest } from '../backup/manifest';
import { MemoryRepository } from '../backup/test-support/memory-ports';
import { queryAudit } from '../db/audit-log';
import { callerOf, fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { listFreshHostBackups, startFreshHostRestore } from './fresh-restore';

// The checks a restore into a fresh host makes before anything is written (the restore itself runs
// on the real test bed: e2e/integration/backup-fresh-host.integration.test.ts): the role, a
// directory that is not empty, an empty repository, an unreadable manifest, a wrong typed project id.

const user = (role: SessionUser['role']): SessionUser => ({ id: `u-${role}`, email: `${role}@example.com`, name: role, role });
const admin = callerOf(user('admin'));
const operator = callerOf(user('operator'));
const PASSWORD = 'the-repository-password';

let f: FakeRuntime;
let repo: MemoryRepository;
const target = { type: 'local', path: '/srv/backups' };

const store = (filename: string, body: string, extra: string[]) => repo.backupStdin(Readable.from([Buffer.from(body)]), { filename, tags: extra });

async function storeBackup(projectId: string): Promise<string> {
  const files = await store(itemFile.projectFiles, JSON.stringify({ files: { 'tale.json': Buffer.from('{}').toString('base64'), '.env': Buffer.from('A=1\n').toString('base64') } }), [tags.project(projectId)]);
  const manifest: BackupManifest = {
    format: 1,
    backupId: '0b5d3a52-6f55-4a43-9a0b-6e1c8a3f2b11',
    projectId,
    kind: 'manual',
    startedBy: 'admin@example.com',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:05.000Z',
    durationMs: 5000,
    consistency: 'test',
    release: { version: '1.0.0', digests: {}, color: 'blue', at: '2026-01-01T00:00:00.000Z' },
    databases: [],
    volumes: [],
    projectFiles: { snapshotId: files.snapshotId, bytes: files.bytes, dataAdded: files.dataAdded, files: ['.env', 'tale.json'] },
  };
  return (await store(itemFile.manifest, JSON.stringify(manifest), [tags.project(projectId), tags.manifest])).snapshotId;
}

beforeEach(() => {
  repo = new MemoryRepository();
  f = fakeRuntime({ backups: { repositoryAt: () => repo } });
});
afterEach(() => f.dispose());

const codes = () => queryAudit(f.rt.db, { limit: 100 }).map((e) => `${e.action}:${e.outcome}:${e.message ?? ''}`);

describe('a restore into a fresh host', () => {
  it('is an admin’s only', async () => {
    expect(await listFreshHostBackups(f.rt, operator, { target, password: PASSWORD })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await startFreshHostRestore(f.rt, operator, { target, password: PASSWORD, snapshot: 'a'.repeat(64), projectId: 'acme' })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(fs.existsSync(path.join(f.rt.env.dataDir, 'fresh-restore'))).toBe(false);
  });

  it('takes strict input: no unknown field, no relative path, a password', async () => {
    expect(await listFreshHostBackups(f.rt, admin, { target, password: PASSWORD, extra: 1 })).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(await listFreshHostBackups(f.rt, admin, { target: { type: 'local', path: 'backups' }, password: PASSWORD })).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(await listFreshHostBackups(f.rt, admin, { target, password: ' ' })).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
  });

  it('lists every project’s backups, an unreadable manifest with its reason, and never echoes the password', async () => {
    const good = await storeBackup('acme');
    const broken = (await store(itemFile.manifest, '{"format":1,', [tags.project('other'), tags.manifest])).snapshotId;
    const res = await listFreshHostBackups(f.rt, admin, { target, password: PASSWORD });
    if (!res.ok || res.data.status !== 'listed') throw new Error(JSON.stringify(res));
    expect(res.data.backups.find((b) => b.id === good)).toMatchObject({ readable: true, backup: { projectId: 'acme', release: { version: '1.0.0' } } });
    expect(res.data.backups.find((b) => b.id === broken)).toMatchObject({ readable: false, code: 'BACKUP_MANIFEST_INVALID' });
    expect(JSON.stringify(res).includes(PASSWORD)).toBe(false);
    expect(JSON.stringify(queryAudit(f.rt.db, { limit: 100 })).includes(PASSWORD)).toBe(false);
    const staged = path.join(f.rt.env.dataDir, 'fresh-restore', 'repository-password');
    expect(fs.statSync(staged).mode & 0o777).toBe(0o600);
  });

  it('refuses a repository that holds no backup, or none at all', async () => {
    expect(await listFreshHostBackups(f.rt, admin, { target, password: PASSWORD })).toMatchObject({ ok: false, code: 'FRESH_RESTORE_EMPTY' });
    repo.initialised = false;
    expect(await listFreshHostBackups(f.rt, admin, { target, password: PASSWORD })).toMatchObject({ ok: false, code: 'BACKUP_REPOSITORY_MISSING' });
    expect(codes()).toContain('backups.fresh_host_list:failure:BACKUP_REPOSITORY_MISSING');
  });

  it('refuses a directory that is not empty, an unreadable manifest and a wrong project id, writing nothing', async () => {
    const good = await storeBackup('acme');
    const broken = (await store(itemFile.manifest, 'not json', [tags.project('acme'), tags.manifest])).snapshotId;
    fs.writeFileSync(path.join(f.deployDir, 'notes.txt'), 'x');
    expect(await listFreshHostBackups(f.rt, admin, { target, password: PASSWORD })).toMatchObject({ ok: false, code: 'DEPLOY_DIR_NOT_FRESH' });
    expect(await startFreshHostRestore(f.rt, admin, { target, password: PASSWORD, snapshot: good, projectId: 'acme' })).toMatchObject({ ok: false, code: 'DEPLOY_DIR_NOT_FRESH' });
    fs.rmSync(path.join(f.deployDir, 'notes.txt'));
    expect(await startFreshHostRestore(f.rt, admin, { target, password: PASSWORD, snapshot: broken, projectId: 'acme' })).toMatchObject({ ok: false, code: 'BACKUP_MANIFEST_INVALID' });
    expect(await startFreshHostRestore(f.rt, admin, { target, password: PASSWORD, snapshot: good, projectId: 'other' })).toMatchObject({ ok: false, code: 'CONFIRMATION_MISMATCH' });
    expect(fs.readdirSync(f.deployDir)).toEqual([]);
    expect(fs.existsSync(f.rt.env.backup.passwordFile)).toBe(false);
    expect(codes()).toEqual(expect.arrayContaining(['operations.restore:denied:DEPLOY_DIR_NOT_FRESH', 'operations.restore:denied:BACKUP_MANIFEST_INVALID', 'operations.restore:denied:project id confirmation did not match']));
  });

  it('never replaces the password of a repository this console already holds', async () => {
    const good = await storeBackup('acme');
    fs.writeFileSync(f.rt.env.backup.passwordFile, 'another-password', { mode: 0o600 });
    expect(await startFreshHostRestore(f.rt, admin, { target, password: PASSWORD, snapshot: good, projectId: 'acme' })).toMatchObject({ ok: false, code: 'FRESH_RESTORE_PASSWORD_EXISTS' });
    expect(fs.readFileSync(f.rt.env.backup.passwordFile, 'utf8')).toBe('another-password');
    expect(fs.readdirSync(f.deployDir)).toEqual([]);
  });
});
