import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import { queryAudit } from '../db/audit-log';
import { environments } from '../db/schema/environments';
import { keyFile } from '../environments/key-store';
import { RemoteError } from '../remote/remote-error';
import type { HostKey, RemoteEndpoint } from '../remote/ssh-endpoint';
import { callerOf, fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { addEnvironment, listEnvironments, removeEnvironment, scanEnvironment, type RemoteConnector } from './environments';
import { memoryDir } from '../test-support/memory-dir';

// Adding and removing environments through the service, over a fake remote: who may, what is
// refused (and then nothing is saved), and a private key that never comes back out.

const user = (role: SessionUser['role']): SessionUser => ({ id: `u-${role}`, email: `${role}@example.com`, name: role, role });
const admin = callerOf(user('admin'));
const viewer = callerOf(user('viewer'));
const operator = callerOf(user('operator'));

const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END OPENSSH PRIVATE KEY-----\n';
const FP = 'SHA256:' + 'A'.repeat(43);
const OTHER_FP = 'SHA256:' + 'B'.repeat(43);
const form = { name: 'Staging', colour: 'blue', endpoint: 'ssh://tale@staging.test:2222', deployDir: '/srv/tale/', privateKey: KEY };

type Calls = { scans: number; opens: { privateKey: string; hostKeyFingerprint: string; deployDir: string }[]; closed: number };

function fakeRemote(opts: { key?: HostKey; open?: Error; writable?: Error } = {}): RemoteConnector & { calls: Calls } {
  const calls: Calls = { scans: 0, opens: [], closed: 0 };
  return {
    calls,
    scanHostKey: async () => (calls.scans++, opts.key ?? { algorithm: 'ssh-ed25519', fingerprint: FP }),
    openSshEndpoint: async (_t, o) => {
      calls.opens.push(o);
      if (opts.open) throw opts.open;
      const endpoint: RemoteEndpoint = {
        docker: {} as RemoteEndpoint['docker'],
        project: memoryDir('/srv/tale'),
        files: {
          readFile: async () => null,
          writeFileAtomic: async () => {},
          checkWritable: async () => {
            if (opts.writable) throw opts.writable;
          },
        },
        close: async () => void calls.closed++,
      };
      return endpoint;
    },
  };
}

let f: FakeRuntime;
beforeEach(() => (f = fakeRuntime()));
afterEach(() => f.dispose());

const rows = () => f.rt.db.select().from(environments).all();

describe('environments', () => {
  it('lists the local environment first for every role; only admins scan, add and remove', async () => {
    expect(listEnvironments(f.rt, viewer)).toMatchObject([{ id: 'local', kind: 'local', deployDir: f.deployDir }]);
    const remote = fakeRemote();
    for (const caller of [viewer, operator]) {
      expect(await scanEnvironment(f.rt, caller, form, remote)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
      expect(await addEnvironment(f.rt, caller, { ...form, hostKeyFingerprint: FP }, remote)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
      expect(await removeEnvironment(f.rt, caller, { id: 'staging', confirmName: 'Staging' })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    }
    expect(remote.calls.scans).toBe(0);
  });

  it('scans, then adds with the confirmed key: the key is a 0600 file and never in a DTO or the audit trail', async () => {
    const remote = fakeRemote();
    const scanned = await scanEnvironment(f.rt, admin, form, remote);
    expect(scanned).toEqual({ ok: true, data: { endpoint: 'ssh://tale@staging.test:2222', hostKey: { algorithm: 'ssh-ed25519', fingerprint: FP } } });
    expect(rows()).toHaveLength(0);
    const added = await addEnvironment(f.rt, admin, { ...form, hostKeyFingerprint: FP }, remote);
    expect(added).toMatchObject({ ok: true, data: { id: 'staging', name: 'Staging', kind: 'ssh', deployDir: '/srv/tale', hostKey: { fingerprint: FP } } });
    // The endpoint was opened with the confirmed key, the directory checked, then closed.
    expect(remote.calls.opens).toEqual([{ privateKey: KEY, hostKeyFingerprint: FP, deployDir: '/srv/tale', timeoutMs: 10_000 }]);
    expect(remote.calls.closed).toBe(1);
    const file = keyFile(f.rt.env.dataDir, 'staging');
    expect(fs.readFileSync(file, 'utf8')).toBe(KEY);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const everything = JSON.stringify([added, listEnvironments(f.rt, viewer), queryAudit(f.rt.db, { limit: 100 })]);
    expect(everything).not.toContain('c2VjcmV0');
    expect(queryAudit(f.rt.db, { limit: 10 })).toMatchObject([{ action: 'environment.add', outcome: 'success', target: 'Staging' }]);
    expect(listEnvironments(f.rt, viewer).map((e) => e.id)).toEqual(['local', 'staging']);
  });

  it('refuses a key other than the confirmed one, naming both, and saves nothing', async () => {
    const remote = fakeRemote({ key: { algorithm: 'ssh-ed25519', fingerprint: OTHER_FP } });
    const res = await addEnvironment(f.rt, admin, { ...form, hostKeyFingerprint: FP }, remote);
    expect(res).toMatchObject({ ok: false, code: 'HOST_KEY_CHANGED' });
    expect(!res.ok && res.message).toContain(FP);
    expect(!res.ok && res.message).toContain(OTHER_FP);
    expect(remote.calls.opens).toHaveLength(0);
    expect(rows()).toHaveLength(0);
    expect(fs.existsSync(keyFile(f.rt.env.dataDir, 'staging'))).toBe(false);
  });

  it('answers the transport codes in words and saves nothing', async () => {
    for (const [err, code, words] of [
      [new RemoteError('HOST_UNREACHABLE', 'staging.test:2222: connection refused'), 'HOST_UNREACHABLE', 'cannot be reached'],
      [new RemoteError('AUTH_FAILED', 'tale@staging.test: publickey refused'), 'AUTH_FAILED', 'refused the user or the private key'],
    ] as const) {
      const res = await addEnvironment(f.rt, admin, { ...form, hostKeyFingerprint: FP }, fakeRemote({ open: err }));
      expect(res).toMatchObject({ ok: false, code });
      expect(!res.ok && res.message).toContain(words);
    }
    const notWritable = await addEnvironment(f.rt, admin, { ...form, hostKeyFingerprint: FP }, fakeRemote({ writable: new RemoteError('DIRECTORY_NOT_WRITABLE', '/srv/tale') }));
    expect(notWritable).toMatchObject({ ok: false, code: 'DIRECTORY_NOT_WRITABLE' });
    const scanFail = await scanEnvironment(f.rt, admin, form, { ...fakeRemote(), scanHostKey: async () => Promise.reject(new RemoteError('HOST_UNREACHABLE', 'x: does not speak SSH')) });
    expect(scanFail).toMatchObject({ ok: false, code: 'HOST_UNREACHABLE' });
    expect(rows()).toHaveLength(0);
    expect(queryAudit(f.rt.db, { limit: 10 }).every((a) => a.outcome === 'failure')).toBe(true);
  });

  it('refuses bad input strictly, a taken name and the same host, port and directory', async () => {
    const remote = fakeRemote();
    expect(await scanEnvironment(f.rt, admin, { ...form, extra: 1 }, remote)).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(await scanEnvironment(f.rt, admin, { ...form, deployDir: 'srv/tale' }, remote)).toMatchObject({ ok: false, code: 'INVALID_INPUT', fieldErrors: { deployDir: expect.any(Array) } });
    expect(await scanEnvironment(f.rt, admin, { ...form, endpoint: 'ssh://tale@host:99999' }, remote)).toMatchObject({ ok: false, code: 'INVALID_INPUT', fieldErrors: { endpoint: expect.any(Array) } });
    expect(await scanEnvironment(f.rt, admin, { ...form, privateKey: 'not a key' }, remote)).toMatchObject({ ok: false, code: 'INVALID_INPUT', fieldErrors: { privateKey: expect.any(Array) } });
    expect(await addEnvironment(f.rt, admin, { ...form, hostKeyFingerprint: 'md5:aa' }, remote)).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(await scanEnvironment(f.rt, admin, { ...form, name: 'local' }, remote)).toMatchObject({ ok: false, code: 'ENVIRONMENT_NAME_TAKEN' });
    expect(await addEnvironment(f.rt, admin, { ...form, hostKeyFingerprint: FP }, remote)).toMatchObject({ ok: true });
    expect(await scanEnvironment(f.rt, admin, { ...form, name: 'STAGING', deployDir: '/other' }, remote)).toMatchObject({ ok: false, code: 'ENVIRONMENT_NAME_TAKEN' });
    const dup = await addEnvironment(f.rt, admin, { ...form, name: 'Staging 2', endpoint: 'ssh://other@STAGING.test:2222', deployDir: '/srv//tale', hostKeyFingerprint: FP }, remote);
    expect(dup).toMatchObject({ ok: false, code: 'ENVIRONMENT_DUPLICATE' });
    // Another directory on the same host is another environment.
    expect(await addEnvironment(f.rt, admin, { ...form, name: 'Staging 2', deployDir: '/srv/tale-2', hostKeyFingerprint: FP }, remote)).toMatchObject({ ok: true, data: { id: 'staging-2' } });
  });

  it('removes with the name typed again, deleting the key; never the local one', async () => {
    await addEnvironment(f.rt, admin, { ...form, hostKeyFingerprint: FP }, fakeRemote());
    expect(await removeEnvironment(f.rt, admin, { id: 'local', confirmName: 'Local' })).toMatchObject({ ok: false, code: 'ENVIRONMENT_LOCAL' });
    expect(await removeEnvironment(f.rt, admin, { id: 'staging', confirmName: 'staging' })).toMatchObject({ ok: false, code: 'CONFIRMATION_MISMATCH' });
    expect(await removeEnvironment(f.rt, admin, { id: 'nope', confirmName: 'x' })).toMatchObject({ ok: false, code: 'ENVIRONMENT_NOT_FOUND' });
    expect(await removeEnvironment(f.rt, admin, { id: 'staging', confirmName: 'Staging' })).toEqual({ ok: true, data: { id: 'staging' } });
    expect(rows()).toHaveLength(0);
    expect(fs.existsSync(keyFile(f.rt.env.dataDir, 'staging'))).toBe(false);
    expect(queryAudit(f.rt.db, { limit: 1 })).toMatchObject([{ action: 'environment.remove', outcome: 'success' }]);
  });
});
