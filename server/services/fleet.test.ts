import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import { writeKey } from '../environments/key-store';
import { insertEnvironment } from '../environments/store';
import { RemoteError } from '../remote/remote-error';
import type { RemoteEndpoint } from '../remote/ssh-endpoint';
import { callerOf, fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import type { RemoteConnector } from './environments';
import { getFleet } from './fleet';
import { memoryDir } from '../test-support/memory-dir';

// The fleet over a fake remote: every environment asked at once under its own deadline, so a
// host that never answers is unreachable (TIMEOUT) after the deadline while the others answer;
// an endpoint that opens only after the deadline is closed all the same.

const viewer = callerOf({ id: 'u-v', email: 'v@example.com', name: 'v', role: 'viewer' } satisfies SessionUser);
const DEADLINE = 300;
let added = 0;
let f: FakeRuntime;
beforeEach(() => (f = fakeRuntime()));
afterEach(() => f.dispose());

async function add(id: string, host: string) {
  insertEnvironment(f.rt.db, {
    id,
    name: id,
    colour: 'amber',
    kind: 'ssh',
    sshUser: 'tale',
    sshHost: host,
    sshPort: 22,
    deployDir: `/srv/${id}`,
    hostKeyAlgorithm: 'ssh-ed25519',
    production: false, hostKeyFingerprint: 'SHA256:' + 'A'.repeat(43),
    createdAt: new Date(Date.UTC(2026, 0, 1) + added++ * 1000),
    createdBy: 'admin@example.com',
  });
  await writeKey(f.rt.env.dataDir, id, '-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----\n');
}

describe('getFleet', () => {
  it('answers every environment: a hung one as TIMEOUT at its deadline, the others as they are', async () => {
    let closed = 0;
    const endpoint = (): RemoteEndpoint => ({
      docker: {} as RemoteEndpoint['docker'],
      project: memoryDir('/srv/tale'),
      files: { readFile: async () => null, writeFileAtomic: async () => {}, checkWritable: async () => {} },
      close: async () => void closed++,
    });
    const remote: RemoteConnector = {
      scanHostKey: async () => {
        throw new Error('not used');
      },
      openSshEndpoint: (t) => {
        if (t.host === 'hung.test') return new Promise(() => {});
        if (t.host === 'refused.test') return Promise.reject(new RemoteError('HOST_UNREACHABLE', 'refused.test:22: connection refused'));
        if (t.host === 'late.test') return new Promise((resolve) => setTimeout(() => resolve(endpoint()), DEADLINE + 200));
        return Promise.resolve(endpoint());
      },
    };
    for (const [id, host] of [['hung', 'hung.test'], ['refused', 'refused.test'], ['late', 'late.test'], ['empty', 'empty.test']] as const) await add(id, host);
    const fleet = await getFleet(f.rt, viewer, remote, DEADLINE);
    const byId = Object.fromEntries(fleet.environments.map((e) => [e.environment.id, e]));
    expect(fleet.environments.map((e) => e.environment.id)).toEqual(['local', 'hung', 'refused', 'late', 'empty']);
    expect(byId.local!.probe).toMatchObject({ reachable: true });
    expect(byId.local!.local).toMatchObject({ running: null, lastBackup: null, alertsLast24h: 0 });
    expect(byId.hung!.probe).toMatchObject({ reachable: false, code: 'TIMEOUT' });
    expect(byId.late!.probe).toMatchObject({ reachable: false, code: 'TIMEOUT' });
    expect(byId.refused!.probe).toMatchObject({ reachable: false, code: 'HOST_UNREACHABLE', message: expect.stringContaining('cannot be reached') });
    expect(byId.empty!.probe).toMatchObject({ reachable: true, initialised: false });
    expect(byId.empty!.local).toBeNull();
    console.log(`fleet of 5 (two hung) with a ${DEADLINE} ms deadline answered in ${fleet.durationMs} ms; per environment: ${fleet.environments.map((e) => `${e.environment.id} ${e.durationMs} ms`).join(', ')}`);
    // The empty one was closed after its probe; the late one once it opened, after the deadline.
    expect(closed).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(closed).toBe(2);
  });

  it('says so when an environment lost its key file, without contacting it', async () => {
    await add('keyless', 'keyless.test');
    const fs = await import('node:fs');
    const { keyFile } = await import('../environments/key-store');
    fs.rmSync(keyFile(f.rt.env.dataDir, 'keyless'));
    let opened = 0;
    const remote: RemoteConnector = { scanHostKey: async () => Promise.reject(new Error('no')), openSshEndpoint: async () => (opened++, Promise.reject(new Error('no'))) };
    const fleet = await getFleet(f.rt, viewer, remote, DEADLINE);
    expect(fleet.environments[1]!.probe).toMatchObject({ reachable: false, code: 'KEY_MISSING' });
    expect(opened).toBe(0);
  });
});
