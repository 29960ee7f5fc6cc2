import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import { targetFiles } from '../backup/target-store';
import { queryAudit } from '../db/audit-log';
import { callerOf, fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { checkBackupRepository, getBackupTarget, saveBackupTarget, testBackupTarget } from './backup-target';

// The repository setting's service without a network: admins only, secrets stored 0600 and never
// answered or audited, a kept secret when the form leaves it empty, strict input.

const user = (role: SessionUser['role']): SessionUser => ({ id: `u-${role}`, email: `${role}@example.com`, name: role, role });
const admin = callerOf(user('admin'));
const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n-----END OPENSSH PRIVATE KEY-----\n';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

let f: FakeRuntime;
beforeEach(() => (f = fakeRuntime()));
afterEach(() => f.dispose());

describe('the backup target setting', () => {
  it('is for admins only', async () => {
    for (const role of ['operator', 'viewer'] as const) {
      expect(await getBackupTarget(f.rt, callerOf(user(role)))).toMatchObject({ ok: false, code: 'FORBIDDEN' });
      expect(await saveBackupTarget(f.rt, callerOf(user(role)), { type: 'local', path: '/srv/b' })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
      expect(await testBackupTarget(f.rt, callerOf(user(role)), {})).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    }
  });

  it('starts at the default directory and refuses bad input field by field', async () => {
    expect(await getBackupTarget(f.rt, admin)).toEqual({ ok: true, data: { type: 'local', path: f.rt.env.backup.repository, isDefault: true } });
    const bad = await saveBackupTarget(f.rt, admin, { type: 'sftp', user: 'x', host: 'h;rm', port: 22, path: 'rel', privateKey: KEY });
    expect(bad).toMatchObject({ ok: false, code: 'INVALID_INPUT', fieldErrors: { host: expect.any(Array), path: expect.any(Array) } });    // No argument means the defaults; null (or anything not an object) is refused, not read as "nothing".
    expect(await testBackupTarget(f.rt, admin, null)).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(await checkBackupRepository(f.rt, admin, null)).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
  });

  it('stores the S3 secret 0600, never answers or audits it, and keeps it when the form leaves it empty', async () => {
    const input = { type: 's3', endpoint: 'https://s3.example.com', bucket: 'tale-b', prefix: 'p', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: SECRET };
    const saved = await saveBackupTarget(f.rt, admin, input);
    expect(saved).toMatchObject({ ok: true, data: { type: 's3', hasSecretAccessKey: true } });
    const { setting, dir } = targetFiles(f.rt.env.dataDir);
    expect(fs.statSync(setting).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    const { secretAccessKey: _drop, ...withoutSecret } = input;
    void _drop;
    expect(await saveBackupTarget(f.rt, admin, withoutSecret)).toMatchObject({ ok: true });
    expect(fs.readFileSync(setting, 'utf8')).toContain(SECRET);
    expect(JSON.stringify([saved, await getBackupTarget(f.rt, admin), queryAudit(f.rt.db, { limit: 50 })])).not.toContain(SECRET);
  });

  it('stores the SSH key 0600 and forgets a pinned host key when the host changes', async () => {
    const files = targetFiles(f.rt.env.dataDir);
    await saveBackupTarget(f.rt, admin, { type: 'sftp', user: 'tale', host: 'backup-1', port: 22, path: '/srv/r', privateKey: KEY });
    expect(fs.statSync(files.privateKey).mode & 0o777).toBe(0o600);
    fs.writeFileSync(files.knownHosts, 'backup-1 ssh-ed25519 AAAA\n');
    expect(await saveBackupTarget(f.rt, admin, { type: 'sftp', user: 'tale', host: 'backup-1', port: 22, path: '/srv/other' })).toMatchObject({ ok: true, data: { hasPrivateKey: true } });
    expect(fs.existsSync(files.knownHosts)).toBe(true);
    await saveBackupTarget(f.rt, admin, { type: 'sftp', user: 'tale', host: 'backup-2', port: 22, path: '/srv/r' });
    expect(fs.existsSync(files.knownHosts)).toBe(false);
    expect(JSON.stringify(queryAudit(f.rt.db, { limit: 50 }))).not.toContain('PRIVATE KEY');
    // Back to a directory: the key goes.
    await saveBackupTarget(f.rt, admin, { type: 'local', path: '/srv/b' });
    expect(fs.existsSync(files.privateKey)).toBe(false);
  });
});
