import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import { createTlsFixture, type TlsFixture } from '@/e2e/fixtures/remote-tls';
import { queryAudit } from '../db/audit-log';
import { environments } from '../db/schema/environments';
import { tlsFile } from '../environments/key-store';
import { RemoteError } from '../remote/remote-error';
import { callerOf, fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { addEnvironment, listEnvironments, removeEnvironment, tcpProjectDir, type TcpConnector } from './environments';

// Adding a TCP+TLS environment through the service over a fake probe (the real engine is in
// e2e/integration/remote-tcp.integration.test.ts): what is refused before and after the probe, what
// is saved, and PEMs that never come back out. The certificates are real (openssl).

const user = (role: SessionUser['role']): SessionUser => ({ id: `u-${role}`, email: `${role}@example.com`, name: role, role });
const admin = callerOf(user('admin'));
const operator = callerOf(user('operator'));

let tls: TlsFixture;
beforeAll(async () => void (tls = await createTlsFixture()), 60_000);
afterAll(() => tls?.dispose());

let f: FakeRuntime;
beforeEach(async () => {
  f = fakeRuntime();
  // The certificates are valid from now for two days; the fake clock starts on 2026-01-01.
  await f.world.clock.sleep(Date.now() - f.world.clock.now().getTime());
});
afterEach(() => f.dispose());

const form = (over: Record<string, unknown> = {}) => ({ kind: 'tcp', name: 'Edge', colour: 'green', endpoint: 'tcp://docker.edge.test', caCert: tls.ca.cert, clientCert: tls.client.cert, clientKey: tls.client.key, ...over });

function fakeProbe(fail?: Error): TcpConnector & { calls: { host: string; port: number }[] } {
  const calls: { host: string; port: number }[] = [];
  return {
    calls,
    probeTcpEndpoint: async (t) => {
      calls.push(t);
      if (fail) throw fail;
      return { version: '27.0.0', apiVersion: '1.46', ms: 5 };
    },
  };
}

const pemLines = () => [tls.ca.cert, tls.client.cert, tls.client.key, tls.otherClient.key].flatMap((p) => p.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')));
const expectNoPem = (text: string) => {
  for (const line of pemLines()) expect(text).not.toContain(line);
};

describe('adding a TCP+TLS environment', () => {
  it('saves the row, the 0600 certificates file and the project directory; nothing of a PEM comes back', async () => {
    const probe = fakeProbe();
    const r = await addEnvironment(f.rt, admin, form(), undefined, probe);
    if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
    expect(probe.calls).toEqual([{ host: 'docker.edge.test', port: 2376 }]);
    expect(r.data).toMatchObject({ id: 'edge', kind: 'tcp', endpoint: 'tcp://docker.edge.test:2376', deployDir: tcpProjectDir(f.rt.env.dataDir, 'edge'), hostKey: { algorithm: 'x509-ca' } });
    expect(r.data.hostKey?.fingerprint).toMatch(/^SHA256:([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(fs.statSync(tlsFile(f.rt.env.dataDir, 'edge')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(tlsFile(f.rt.env.dataDir, 'edge'), 'utf8'))).toEqual({ caCert: tls.ca.cert, clientCert: tls.client.cert, clientKey: tls.client.key });
    expect(fs.statSync(r.data.deployDir).mode & 0o777).toBe(0o700);
    expectNoPem(JSON.stringify([r, listEnvironments(f.rt, admin), queryAudit(f.rt.db, { limit: 100 })]));
    expect(queryAudit(f.rt.db, { limit: 10 })).toMatchObject([{ action: 'environment.add', outcome: 'success', target: 'Edge' }]);
    // Removal deletes the certificates file.
    expect(await removeEnvironment(f.rt, admin, { id: 'edge', confirmName: 'Edge' })).toMatchObject({ ok: true });
    expect(fs.existsSync(tlsFile(f.rt.env.dataDir, 'edge'))).toBe(false);
  });

  it('only admins add', async () => {
    const probe = fakeProbe();
    expect(await addEnvironment(f.rt, operator, form(), undefined, probe)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(probe.calls).toEqual([]);
  });

  it('refuses a malformed endpoint or PEM before any connection, on the field at fault', async () => {
    const probe = fakeProbe();
    const bad = [
      [{ endpoint: 'tcp://user@docker.edge.test' }, 'endpoint'],
      [{ endpoint: 'tcp://docker.edge.test:2376/v1' }, 'endpoint'],
      [{ clientKey: tls.otherClient.key }, 'clientKey'],
      [{ caCert: tls.client.cert }, 'caCert'],
      [{ clientCert: 'nothing' }, 'clientCert'],
    ] as const;
    for (const [over, field] of bad) {
      const r = await addEnvironment(f.rt, admin, form(over), undefined, probe);
      expect(r.ok, field).toBe(false);
      if (!r.ok) expect(Object.keys(r.fieldErrors ?? {}), JSON.stringify(r)).toContain(field);
      expectNoPem(JSON.stringify(r));
    }
    expect(probe.calls).toEqual([]);
    expect(f.rt.db.select().from(environments).all()).toEqual([]);
  });

  it("answers the probe's code in words and saves nothing", async () => {
    const r = await addEnvironment(f.rt, admin, form(), undefined, fakeProbe(new RemoteError('TLS_CERT_UNTRUSTED', "At docker.edge.test:2376, the host's certificate is not signed by the CA you gave.")));
    expect(r).toMatchObject({ ok: false, code: 'TLS_CERT_UNTRUSTED' });
    if (!r.ok) expect(r.message).toMatch(/^The host's certificate is not trusted\. At docker\.edge\.test/);
    const unreachable = await addEnvironment(f.rt, admin, form(), undefined, fakeProbe(new RemoteError('HOST_UNREACHABLE', 'Nothing answers on docker.edge.test:2376 (ECONNREFUSED).')));
    if (!unreachable.ok) expect(unreachable.message).toMatch(/over TCP/);
    expect(f.rt.db.select().from(environments).all()).toEqual([]);
    expect(fs.existsSync(tlsFile(f.rt.env.dataDir, 'edge'))).toBe(false);
    expect(queryAudit(f.rt.db, { limit: 10 }).every((a) => a.outcome === 'failure')).toBe(true);
  });

  it('refuses a second environment on the same engine, and a taken name', async () => {
    expect((await addEnvironment(f.rt, admin, form(), undefined, fakeProbe())).ok).toBe(true);
    expect(await addEnvironment(f.rt, admin, form({ name: 'Edge two', endpoint: 'tcp://DOCKER.edge.test:2376' }), undefined, fakeProbe())).toMatchObject({ ok: false, code: 'ENVIRONMENT_DUPLICATE' });
    expect(await addEnvironment(f.rt, admin, form({ endpoint: 'tcp://other.edge.test' }), undefined, fakeProbe())).toMatchObject({ ok: false, code: 'ENVIRONMENT_NAME_TAKEN' });
    // Another port of the same host is another engine.
    expect((await addEnvironment(f.rt, admin, form({ name: 'Edge two', endpoint: 'tcp://docker.edge.test:12376' }), undefined, fakeProbe())).ok).toBe(true);
  });
});
