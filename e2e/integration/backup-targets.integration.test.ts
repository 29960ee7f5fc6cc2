// The backup targets against real servers on loopback (e2e/fixtures/backup-targets.ts): OpenSSH's
// sshd for SFTP and s3rver for S3, with Debian's restic and ssh. The console's backups and
// backup-target services run over the fake runtime (fake Docker, an in-memory db container whose
// pg_dump output is known), so what is real is everything between the console and the target:
// the stored setting and its files, restic's argv and environment, ssh with the pinned host key,
// TLS to S3, a tmpfs that fills up, and a repository damaged on disk.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import { readManifest, runBackup } from '@/server/backup/backup-engine';
import { tags } from '@/server/backup/manifest';
import { createResticRepository, type ResticConfig } from '@/server/backup/restic';
import { targetFiles, targetLocation } from '@/server/backup/target-store';
import { FakeDbContainer, MemoryVolumes, read } from '@/server/backup/test-support/memory-ports';
import { queryAudit } from '@/server/db/audit-log';
import { listBackups, startBackup, startRestore } from '@/server/services/backups';
import { checkBackupRepository, getBackupTarget, saveBackupTarget, testBackupTarget } from '@/server/services/backup-target';
import type { ContainerSpec } from '@/server/stack/types';
import { callerOf, ended, fakeRuntime, type FakeRuntime } from '@/server/test-support/fake-runtime';
import { startS3Server, startSshServer, type S3Server, type SshServer } from '../fixtures/backup-targets';
import { runCommand } from '../fixtures/run-command';

const admin = callerOf({ id: 'u-admin', email: 'admin@example.com', name: 'admin', role: 'admin' } satisfies SessionUser);

let ssh: SshServer;
let s3: S3Server;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-it-'));

beforeAll(async () => {
  [ssh, s3] = await Promise.all([startSshServer(), startS3Server()]);
});
afterAll(async () => {
  await ssh?.dispose();
  await s3?.dispose();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** A console (fake Docker, known databases) whose backups go through the real restic to the configured target. */
type Console = FakeRuntime & { db: FakeDbContainer; config: ResticConfig };
const consoles: Console[] = [];
afterEach(() => {
  for (const c of consoles.splice(0)) c.dispose();
});

async function newConsole(): Promise<Console> {
  const config: ResticConfig = { binary: '/usr/bin/restic', repository: '', passwordFile: '', cacheDir: '' };
  let locate: ReturnType<typeof targetLocation> | null = null;
  config.location = (run) => locate!(run);
  const db = new FakeDbContainer();
  // Some weight in one table, random so restic cannot deduplicate it away.
  db.dbs.tale_platform!['public.documents'] = Array.from({ length: 64 }, () => randomBytes(3000).toString('base64'));
  const f = fakeRuntime({ exec: db, backups: { repo: createResticRepository(config), volumes: new MemoryVolumes(), readProjectFiles: async () => ({ 'tale.json': Buffer.from('{"id":"acme"}') }) } });
  Object.assign(config, { repository: f.rt.env.backup.repository, passwordFile: f.rt.env.backup.passwordFile, cacheDir: f.rt.env.backup.cacheDir });
  locate = targetLocation(f.rt.env.dataDir, f.rt.env.backup.repository);
  for (const name of ['acme-db', 'acme-platform-blue', 'acme-rag-blue', 'acme-crawler-blue', 'acme-convex']) {
    await f.world.docker.createContainer({ name, image: 'img:1', labels: {}, network: { network: 'acme_internal', aliases: [] } } as unknown as ContainerSpec);
    await f.world.docker.startContainer(name);
  }
  const c = { ...f, db, config };
  consoles.push(c);
  return c;
}

async function backUp(c: Console) {
  const started = await startBackup(c.rt, admin, {});
  if (!started.ok) throw new Error(`refused: ${started.code} ${started.message}`);
  const end = await ended(c.rt, started.data.id);
  return { started: started.data, end };
}

const sftpInput = (over: Record<string, unknown> = {}) => ({ type: 'sftp', user: ssh.user, host: '127.0.0.1', port: ssh.port, path: path.join(scratch, `sftp-${randomBytes(4).toString('hex')}`), privateKey: ssh.privateKey, ...over });
const s3Input = (over: Record<string, unknown> = {}) => ({ type: 's3', endpoint: s3.endpoint, bucket: s3.bucket, prefix: `tg/${randomBytes(4).toString('hex')}`, accessKeyId: s3.accessKeyId, secretAccessKey: `tg-secret-${randomBytes(9).toString('hex')}`, caCertificate: s3.caCertificate, ...over });

/** Backs up, lists the backup and reads one part back byte for byte, as pg_dump gave it. */
async function roundTrip(c: Console) {
  const t0 = Date.now();
  const { end } = await backUp(c);
  expect(end.status, JSON.stringify(end.error)).toBe('succeeded');
  const ms = Date.now() - t0;
  const list = await listBackups(c.rt, admin);
  expect(list.backups).toHaveLength(1);
  const backup = list.backups[0]!;
  const part = backup.databases.find((d) => d.name === 'tale_platform')!;
  const dumped = c.rt.backups.repo.dump(part.snapshotId, '/databases/tale_platform.sql');
  const bytes = await read(dumped.stream);
  await dumped.done;
  expect(bytes.toString()).toBe(`DUMP tale_platform:${JSON.stringify(c.db.dbs.tale_platform)}`);
  return { backup, ms, location: list.repository.location };
}

describe('an SFTP target', () => {
  it('asks to confirm the host key, pins it, backs up, lists, dumps byte for byte and restores', async () => {
    const c = await newConsole();
    const input = sftpInput();
    const saved = await saveBackupTarget(c.rt, admin, input);
    expect(saved).toMatchObject({ ok: true, data: { type: 'sftp', hostKeyFingerprint: null, hasPrivateKey: true } });
    // The key is stored 0600 and never shown again.
    expect(fs.statSync(targetFiles(c.rt.env.dataDir).privateKey).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(await getBackupTarget(c.rt, admin))).not.toContain('PRIVATE KEY');

    // First contact: the fingerprint is shown, nothing is written until the admin confirms it.
    const first = await testBackupTarget(c.rt, admin, {});
    const fingerprint = await ssh.fingerprint();
    expect(first).toEqual({ ok: true, data: { status: 'confirm-host-key', host: '127.0.0.1', port: ssh.port, fingerprint, keyType: 'ssh-ed25519' } });
    expect(fs.existsSync(input.path)).toBe(false);
    const confirmed = await testBackupTarget(c.rt, admin, { acceptHostKey: fingerprint });
    expect(confirmed).toMatchObject({ ok: true, data: { status: 'connected', created: true, hostKeyFingerprint: fingerprint } });
    const password = (confirmed as { data: { repositoryPassword: string } }).data.repositoryPassword;
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fs.existsSync(path.join(input.path, 'config'))).toBe(true); // created over SFTP at the path given
    expect(fs.readFileSync(targetFiles(c.rt.env.dataDir).knownHosts, 'utf8')).toContain(`[127.0.0.1]:${ssh.port} ssh-ed25519 `);
    // A second test opens it; the password is not shown again.
    expect(await testBackupTarget(c.rt, admin, {})).toMatchObject({ ok: true, data: { status: 'connected', created: false, repositoryPassword: null } });

    const { backup, ms, location } = await roundTrip(c);
    expect(location).toBe(`sftp://${ssh.user}@127.0.0.1:${ssh.port}${input.path}`);
    console.log(`[measured] SFTP backup of ${backup.bytes} bytes: ${ms} ms`);

    // Restore through the same target: the databases come back as they were backed up.
    const before = JSON.stringify(c.db.dbs);
    c.db.dbs.tale_platform!['public.documents'] = ['changed'];
    const restore = await startRestore(c.rt, admin, { snapshot: backup.id, projectId: 'acme' });
    if (!restore.ok) throw new Error(`${restore.code} ${restore.message}`);
    const end = await ended(c.rt, restore.data.id);
    expect(end.status, JSON.stringify(end.error)).toBe('succeeded');
    expect(JSON.stringify(c.db.dbs)).toBe(before);

    // The password never reached the audit trail.
    expect(JSON.stringify(queryAudit(c.rt.db, { limit: 500 }))).not.toContain(password);
    expect(queryAudit(c.rt.db, { limit: 500 }).map((e) => e.action)).toEqual(expect.arrayContaining(['backups.target_save', 'backups.host_key_pin', 'backups.target_test']));
  });

  it('refuses a changed host key with both fingerprints, and backs up nothing through it', async () => {
    const c = await newConsole();
    await saveBackupTarget(c.rt, admin, sftpInput());
    const pinned = await ssh.fingerprint();
    const pinning = await testBackupTarget(c.rt, admin, { acceptHostKey: pinned });
    expect(pinning, JSON.stringify(pinning)).toMatchObject({ ok: true, data: { status: 'connected' } });
    await ssh.changeHostKey();
    const now = await ssh.fingerprint();
    expect(now).not.toBe(pinned);
    const refused = await testBackupTarget(c.rt, admin, { acceptHostKey: now });
    expect(refused, JSON.stringify(refused)).toMatchObject({ ok: false, code: 'BACKUP_HOST_KEY_CHANGED' });
    expect((refused as { message: string }).message).toContain(pinned);
    expect((refused as { message: string }).message).toContain(now);
    // ssh itself refuses it too (strict checking against the pinned key): no backup starts.
    const backup = await startBackup(c.rt, admin, {});
    expect(backup, JSON.stringify(backup)).toMatchObject({ ok: false, code: 'BACKUP_HOST_KEY_CHANGED' });
  });

  it('says the target is unreachable when nothing listens, and that a wrong key is refused', async () => {
    const c = await newConsole();
    await saveBackupTarget(c.rt, admin, sftpInput({ port: 1 }));
    expect(await testBackupTarget(c.rt, admin, {})).toMatchObject({ ok: false, code: 'BACKUP_TARGET_UNREACHABLE' });

    const other = path.join(scratch, 'other-key');
    await runCommand('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    await saveBackupTarget(c.rt, admin, sftpInput({ privateKey: fs.readFileSync(other, 'utf8') }));
    const fp = await ssh.fingerprint();
    const wrongKey = await testBackupTarget(c.rt, admin, { acceptHostKey: fp });
    expect(wrongKey, JSON.stringify(wrongKey)).toMatchObject({ ok: false, code: 'BACKUP_TARGET_CREDENTIALS' });
  });
});

describe('an S3 target', () => {
  it('creates the repository over TLS, backs up, lists and dumps byte for byte; the secret key is never shown', async () => {
    const c = await newConsole();
    const input = s3Input();
    const saved = await saveBackupTarget(c.rt, admin, input);
    expect(saved).toMatchObject({ ok: true, data: { type: 's3', hasSecretAccessKey: true, hasCaCertificate: true } });
    expect(JSON.stringify(saved)).not.toContain(input.secretAccessKey);
    expect(await testBackupTarget(c.rt, admin, {})).toMatchObject({ ok: true, data: { status: 'connected', created: true } });
    // restic wrote its repository into the bucket under the prefix.
    expect(fs.existsSync(path.join(s3.directory, s3.bucket, input.prefix, 'config._S3rver_object'))).toBe(true);
    const { backup, ms } = await roundTrip(c);
    console.log(`[measured] S3 backup of ${backup.bytes} bytes: ${ms} ms`);
    const check = await checkBackupRepository(c.rt, admin, { readData: true });
    expect(check).toMatchObject({ ok: true, data: { output: 'no errors were found' } });
  });

  it('says which: unreachable endpoint, unknown access key, missing bucket', async () => {
    const c = await newConsole();
    await saveBackupTarget(c.rt, admin, s3Input({ endpoint: 'https://127.0.0.1:1' }));
    expect(await testBackupTarget(c.rt, admin, {})).toMatchObject({ ok: false, code: 'BACKUP_TARGET_UNREACHABLE' });
    await saveBackupTarget(c.rt, admin, s3Input({ accessKeyId: 'NOT-A-KEY' }));
    expect(await testBackupTarget(c.rt, admin, {})).toMatchObject({ ok: false, code: 'BACKUP_TARGET_CREDENTIALS' });
    await saveBackupTarget(c.rt, admin, s3Input({ bucket: 'no-such-bucket' }));
    const missing = await testBackupTarget(c.rt, admin, {});
    expect(missing).toMatchObject({ ok: false, code: 'BACKUP_TARGET_UNREACHABLE' });
    expect((missing as { message: string }).message).toMatch(/bucket does not exist/);
  });
});

describe('repository faults', () => {
  it('a wrong repository password: coded error, nothing written to the repository', async () => {
    const c = await newConsole();
    await saveBackupTarget(c.rt, admin, { type: 'local', path: path.join(scratch, `local-${randomBytes(4).toString('hex')}`) });
    expect(await testBackupTarget(c.rt, admin, {})).toMatchObject({ ok: true, data: { status: 'connected', created: true } });
    const repoDir = (await getBackupTarget(c.rt, admin) as { data: { path: string } }).data.path;
    fs.writeFileSync(c.rt.env.backup.passwordFile, 'not-the-password', { mode: 0o600 });
    const files = () => runCommand('find', [repoDir, '-type', 'f']).then((r) => r.stdout.split('\n').sort().join('\n'));
    const before = await files();
    expect(await testBackupTarget(c.rt, admin, {})).toMatchObject({ ok: false, code: 'BACKUP_WRONG_PASSWORD' });
    const started = await startBackup(c.rt, admin, {});
    if (!started.ok) throw new Error(started.code);
    const end = await ended(c.rt, started.data.id);
    expect(end.status).toBe('failed');
    expect(end.error).toMatchObject({ code: 'BACKUP_WRONG_PASSWORD' });
    expect(await files()).toBe(before);
  });

  it('a target that fills up mid-backup: the backup fails as full, is not listed, and succeeds once there is room', async () => {
    const c = await newConsole();
    const mount = path.join(scratch, 'tmpfs');
    fs.mkdirSync(mount, { recursive: true });
    // The dump is ~1.2 MB of random text per copy; 1 MB of tmpfs holds the repository's skeleton but not the dump.
    c.db.dbs.tale_platform!['public.documents'] = Array.from({ length: 400 }, () => randomBytes(3000).toString('base64'));
    await runCommand('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tg-tmpfs', mount]);
    try {
      await saveBackupTarget(c.rt, admin, { type: 'local', path: path.join(mount, 'repo') });
      expect(await testBackupTarget(c.rt, admin, {})).toMatchObject({ ok: true, data: { status: 'connected', created: true } });
      const { end } = await backUp(c);
      expect(end.status).toBe('failed');
      expect(end.error).toMatchObject({ code: 'BACKUP_TARGET_FULL' });
      expect(end.error?.message).toMatch(/full/);
      expect((await listBackups(c.rt, admin)).backups).toEqual([]);
      expect(await c.rt.backups.repo.snapshots([tags.manifest])).toEqual([]);

      await runCommand('mount', ['-o', 'remount,size=64m', mount]);
      const again = await backUp(c);
      expect(again.end.status, JSON.stringify(again.end.error)).toBe('succeeded');
      expect((await listBackups(c.rt, admin)).backups).toHaveLength(1);
      expect(await checkBackupRepository(c.rt, admin, { readData: true })).toMatchObject({ ok: true });
    } finally {
      await runCommand('umount', [mount]);
    }
  });

  it('a corrupted repository: "check repository" says so with restic\'s reason', async () => {
    const c = await newConsole();
    const dir = path.join(scratch, `corrupt-${randomBytes(4).toString('hex')}`);
    await saveBackupTarget(c.rt, admin, { type: 'local', path: dir });
    await testBackupTarget(c.rt, admin, {});
    const { manifestSnapshot } = await runBackup(
      { ...c.world, repo: c.rt.backups.repo, exec: c.db, volumes: new MemoryVolumes(), readProjectFiles: async () => ({}) },
      { kind: 'manual', startedBy: 'admin@example.com' },
    );
    expect((await readManifest(c.rt.backups, manifestSnapshot)).projectId).toBe('acme');
    expect(await checkBackupRepository(c.rt, admin, { readData: true })).toMatchObject({ ok: true, data: { output: 'no errors were found' } });

    // Flip bytes in the middle of the largest pack file.
    const packs = (await runCommand('find', [path.join(dir, 'data'), '-type', 'f'])).stdout.split('\n').filter(Boolean);
    const largest = packs.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0]!;
    fs.chmodSync(largest, 0o600);
    const fd = fs.openSync(largest, 'r+');
    const at = Math.floor(fs.statSync(largest).size / 2);
    const buf = Buffer.alloc(16);
    fs.readSync(fd, buf, 0, 16, at);
    for (let i = 0; i < 16; i++) buf[i] = buf[i]! ^ 0xff;
    fs.writeSync(fd, buf, 0, 16, at);
    fs.closeSync(fd);

    const t0 = Date.now();
    const result = await checkBackupRepository(c.rt, admin, { readData: true });
    console.log(`[measured] restic check --read-data of a damaged repository: ${Date.now() - t0} ms`);
    expect(result).toMatchObject({ ok: false, code: 'BACKUP_REPOSITORY_CORRUPT' });
    expect((result as { message: string }).message).toContain(path.basename(largest).slice(0, 8));
    console.log(`[reason] ${(result as { message: string }).message}`);

    // A pack deleted outright is found by the structure check alone.
    fs.rmSync(largest);
    const gone = await checkBackupRepository(c.rt, admin, { readData: false });
    expect(gone).toMatchObject({ ok: false, code: 'BACKUP_REPOSITORY_CORRUPT' });
  });
});
