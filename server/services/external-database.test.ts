import { afterEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import { callerOf, fakeNetworkProbe, fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { testDatabaseConnection } from './external-database';

// Connect as the wizard's action calls it, on a runtime of fakes: the sign-in from the stack's
// network comes first, and an address only the console reaches never gets as far as a connection.

const admin: SessionUser = { id: 'u-admin', email: 'admin@example.com', name: 'Admin', role: 'admin' };
const files = {
  'tale.json': JSON.stringify({ version: 1, cliVersion: '1.0.0', createdAt: '2026-01-01T00:00:00Z', id: 'acme' }),
  '.env': 'HOST=tale.example.com\nGHCR_REGISTRY=registry.example.com/tale\n',
};
const fields = { kind: 'fields', host: '127.0.0.1', port: '5432', user: 'postgres', password: 'admin-secret', database: 'postgres', sslMode: 'disable' };

let world: FakeRuntime;
afterEach(() => world.dispose());

describe('Connect refuses an address Tale cannot reach', () => {
  it('refuses loopback beside the host field, with the bridge address, before any probe or connection', async () => {
    const probe = fakeNetworkProbe();
    world = fakeRuntime({ files, probe });
    for (const host of ['127.0.0.1', 'localhost', '::1']) {
      const r = await testDatabaseConnection(world.rt, callerOf(admin), { ...fields, host });
      expect(r).toMatchObject({ ok: false, code: 'DB_UNREACHABLE_FROM_STACK' });
      if (r.ok) return;
      expect(r.fieldErrors?.host?.[0]).toContain("the host's address on the Docker bridge, 172.17.0.1");
      expect(r.message).not.toContain('admin-secret');
    }
    const url = await testDatabaseConnection(world.rt, callerOf(admin), { kind: 'url', url: 'postgresql://postgres:admin-secret@localhost:5432/postgres' });
    expect(url.ok ? null : url.fieldErrors?.url?.[0]).toContain('localhost is a loopback address');
    expect(probe.runs).toEqual([]);
  });

  it('signs in from the stack network with the db image, the password only in the environment', async () => {
    const refused = 'psql: error: connection to server at "10.9.8.7", port 5432 failed: Connection refused\n';
    const probe = fakeNetworkProbe({ exitCode: 2, stdout: '', stderr: refused });
    world = fakeRuntime({ files, probe });
    const r = await testDatabaseConnection(world.rt, callerOf(admin), { ...fields, host: '10.9.8.7' });
    expect(r).toMatchObject({ ok: false, code: 'DB_UNREACHABLE_FROM_STACK', message: expect.stringContaining("Tale's containers cannot reach 10.9.8.7:5432") });
    expect(probe.runs).toHaveLength(1);
    const run = probe.runs[0]!;
    expect(run).toMatchObject({ network: 'acme_internal', image: 'registry.example.com/tale/tale-db:1.0.0', labels: { project: 'acme' } });
    expect(run.env.PGPASSWORD).toBe('admin-secret');
    expect(JSON.stringify(run.argv)).not.toContain('admin-secret');
  });
});
