// A TCP+TLS environment (#21, docs/environments.md#endpoints): the second Docker Engine of the test
// bed (e2e/fixtures/remote-host.ts) also listens on a loopback TCP port with --tlsverify and
// certificates made per run (e2e/fixtures/remote-tls.ts). The environment is added through the
// service (PEMs parsed, key matched, engine probed), its runtime is built by runtimeFor (Docker over
// TLS, the project's files in the console's own data directory), and the engine deploys, upgrades
// under load and reads logs through it. The faults: a CA that did not sign the host's certificate,
// a client certificate of another CA, a name the certificate does not carry, a closed port; none of
// their messages or audit entries carries a PEM.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeployment, type Deployment } from '@/e2e/fixtures/deployment';
import { ensureFixtureImages } from '@/e2e/fixtures/fixture-images';
import { freeLoopbackPort } from '@/e2e/fixtures/free-port';
import { waitForUrl } from '@/e2e/fixtures/http-get';
import { allImageRefs, pushImages, startRegistry, type Registry } from '@/e2e/fixtures/registry';
import { startRemoteHost, type RemoteHost } from '@/e2e/fixtures/remote-host';
import { GOOD_VERSION, NEXT_VERSION } from '@/e2e/fixtures/versions';
import type { EnvironmentDto } from '@/lib/dto/environments';
import { logQuerySchema } from '@/lib/schemas/logs';
import type { Caller } from '@/server/auth/caller';
import { runMigrations } from '@/server/db/client';
import { auditEvents } from '@/server/db/schema/audit';
import { insertUser } from '@/server/db/user-admin';
import { loopbackPorts, proxyUrlOf } from '@/server/docker/test-bed-ports';
import { startTraffic } from '@/server/docker/test-bed-traffic';
import { deploy } from '@/server/engine/deploy';
import type { EnginePorts } from '@/server/engine/ports';
import { forget, runtimeFor } from '@/server/environment-runtimes';
import { tlsFile } from '@/server/environments/key-store';
import { openLogDownload } from '@/server/logs/logs';
import { readDeploymentColor, readPreviousVersion } from '@/server/project/state-files';
import { runtime, type Runtime } from '@/server/runtime';
import { addEnvironment, removeEnvironment } from '@/server/services/environments';
import { getFleet } from '@/server/services/fleet';
import { pollUntil } from '@/e2e/fixtures/poll';

let host: RemoteHost;
let registry: Registry;
let deployment: Deployment;
let dataDir: string;
let local: Runtime;
let caller: Caller;
let remoteDocker: Docker;
let added: EnvironmentDto;
let rt: Runtime;
let ports: EnginePorts;
let url = '';

// Every PEM of the run: none of it may appear in a message, a field error or an audit entry.
const secrets = () => {
  const t = host.tcp!.tls;
  return [t.ca, t.client, t.otherCa, t.otherClient].flatMap((p) => [p.cert, p.key]).flatMap((pem) => pem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')));
};
const expectNoPem = (text: string) => {
  expect(text).not.toMatch(/-----BEGIN/);
  for (const line of secrets()) expect(text).not.toContain(line);
};

const tcpInput = (over: Record<string, unknown> = {}) => ({
  kind: 'tcp',
  name: 't7tcp-remote',
  colour: 'violet',
  endpoint: `tcp://127.0.0.1:${host.tcp!.port}`,
  caCert: host.tcp!.tls.ca.cert,
  clientCert: host.tcp!.tls.client.cert,
  clientKey: host.tcp!.tls.client.key,
  ...over,
});

beforeAll(async () => {
  await ensureFixtureImages();
  registry = await startRegistry();
  host = await startRemoteHost({ id: 't7tcp', tls: true });
  await pushImages(registry, allImageRefs([GOOD_VERSION, NEXT_VERSION]));
  deployment = await createDeployment({ registry: registry.host, prefix: 't7tcp', extraEnv: { HEALTH_CHECK_TIMEOUT: '150', DRAIN_TIMEOUT: '5' } });
  // The console's own runtime from its configuration, as server/runtime.ts builds it in the app:
  // a data directory of this test's, no health watch (nothing here watches).
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 't7tcp-data-'));
  process.env.DATA_DIR = dataDir;
  process.env.DEPLOY_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 't7tcp-local-'));
  process.env.HEALTH_WATCH = 'off';
  local = runtime();
  runMigrations(local.db); // what server/bootstrap.ts does before serving
  const admin = insertUser(local.db, { email: 't7tcp-admin@example.test', name: 'T7 admin', role: 'admin', passwordHash: 'not-a-hash' });
  if (admin === 'exists') throw new Error('duplicate test user');
  caller = { user: { id: admin.id, email: admin.email, name: admin.name, role: 'admin' }, sourceIp: '127.0.0.1', sessionId: null };
  remoteDocker = new Docker({ socketPath: host.dockerHost.replace(/^unix:\/\//, ''), timeout: 30_000 });
}, 600_000);

afterAll(async () => {
  if (added) forget(added.id);
  await host?.dispose(); // the second engine's containers, networks and volumes go with it
  await deployment?.dispose();
  await registry?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  if (process.env.DEPLOY_DIR?.includes('t7tcp-local-')) fs.rmSync(process.env.DEPLOY_DIR, { recursive: true, force: true });
}, 180_000);

describe('adding a TCP+TLS environment refuses what it cannot trust', () => {
  const refused = async (over: Record<string, unknown>) => {
    const t0 = Date.now();
    const r = await addEnvironment(local, caller, tcpInput(over));
    const ms = Date.now() - t0;
    expect(r.ok).toBe(false);
    if (r.ok) throw new Error('accepted');
    expectNoPem(JSON.stringify(r));
    return { ...r, ms };
  };

  it("a CA that did not sign the host's certificate: TLS_CERT_UNTRUSTED, naming both", async () => {
    const r = await refused({ caCert: host.tcp!.tls.otherCa.cert });
    console.log(`tcp faults: wrong CA refused in ${r.ms} ms: ${r.message}`);
    expect(r.code).toBe('TLS_CERT_UNTRUSTED');
    expect(r.message).toContain("the host's certificate is not signed by the CA you gave (CN=tale-test-other-ca)");
  });

  it('a client certificate of another CA: the engine refuses it (CLIENT_CERT_REFUSED)', async () => {
    const r = await refused({ clientCert: host.tcp!.tls.otherClient.cert, clientKey: host.tcp!.tls.otherClient.key });
    console.log(`tcp faults: foreign client certificate refused in ${r.ms} ms: ${r.message}`);
    expect(r.code).toBe('CLIENT_CERT_REFUSED');
  });

  it('a name the certificate does not carry: TLS_NAME_MISMATCH', async () => {
    // The server certificate has only IP:127.0.0.1; "localhost" reaches the same listener.
    const r = await refused({ endpoint: `tcp://localhost:${host.tcp!.port}` });
    console.log(`tcp faults: name mismatch refused in ${r.ms} ms: ${r.message}`);
    expect(r.code).toBe('TLS_NAME_MISMATCH');
  });

  it('a closed port: HOST_UNREACHABLE at once', async () => {
    const r = await refused({ endpoint: `tcp://127.0.0.1:${await freeLoopbackPort()}` });
    console.log(`tcp faults: closed port refused in ${r.ms} ms: ${r.message}`);
    expect(r.code).toBe('HOST_UNREACHABLE');
    expect(r.ms).toBeLessThan(5_000);
  });

  it('a port that accepts and never speaks: HOST_UNREACHABLE once the handshake deadline passes', async () => {
    // A firewall that swallows the reply, or a hung daemon: the TLS handshake never completes.
    const held: net.Socket[] = [];
    const silent = net.createServer((sock) => void held.push(sock));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const r = await refused({ endpoint: `tcp://127.0.0.1:${(silent.address() as net.AddressInfo).port}` });
      console.log(`tcp faults: silent port refused in ${r.ms} ms: ${r.message}`);
      expect(r.code).toBe('HOST_UNREACHABLE');
      expect(r.message).toMatch(/did not answer in time/);
    } finally {
      for (const sock of held) sock.destroy();
      silent.close();
    }
  }, 60_000);

  it('a key that is not the certificate\'s: INVALID_CERTIFICATE on the key field, before any connection', async () => {
    const r = await refused({ clientKey: host.tcp!.tls.otherClient.key });
    expect(r.code).toBe('INVALID_CERTIFICATE');
    expect(r.fieldErrors?.clientKey?.[0]).toMatch(/does not belong to the client certificate/);
  });

  it('nothing was saved, and no audit entry carries a PEM', () => {
    expect(fs.existsSync(path.join(dataDir, 'environments'))).toBe(false);
    const audit = local.db.select().from(auditEvents).all();
    expect(audit.filter((a) => a.action === 'environment.add' && a.outcome === 'failure').length).toBeGreaterThanOrEqual(6);
    expectNoPem(JSON.stringify(audit));
  });
});

describe('deploying on a TCP+TLS environment', () => {
  it('is added through the service: row, 0600 material file, project directory on the console side', async () => {
    const r = await addEnvironment(local, caller, tcpInput());
    if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
    added = r.data;
    expect(added).toMatchObject({ kind: 'tcp', endpoint: `tcp://127.0.0.1:${host.tcp!.port}`, deployDir: path.join(dataDir, 'environments', added.id, 'project') });
    expect(added.hostKey?.algorithm).toBe('x509-ca');
    expectNoPem(JSON.stringify(added));
    expect(fs.statSync(tlsFile(dataDir, added.id)).mode & 0o777).toBe(0o600);
    expect(fs.statSync(added.deployDir).isDirectory()).toBe(true);
    // Same engine again: refused, as two SSH environments on one directory are.
    const again = await addEnvironment(local, caller, tcpInput({ name: 't7tcp-again' }));
    expect(again.ok ? 'ok' : again.code).toBe('ENVIRONMENT_DUPLICATE');
    // The project's files, as `tale init` would leave them, in the console's directory for it.
    for (const f of ['tale.json', '.env']) fs.copyFileSync(path.join(deployment.dir, f), path.join(added.deployDir, f));
    fs.chmodSync(path.join(added.deployDir, '.env'), 0o600);
  });

  it('first deploy through runtimeFor: the stack runs on the TLS engine, the state files on the console side', async () => {
    rt = await runtimeFor(added.id);
    expect(rt.environment.kind).toBe('tcp');
    const status = await rt.host.status();
    expect(status.reachable).toBe(true);
    ports = { ...rt.ports(), docker: loopbackPorts(rt.docker) };
    const t0 = Date.now();
    const result = await deploy(ports, { version: GOOD_VERSION });
    console.log(`tcp deploy: first deploy of ${GOOD_VERSION} in ${Date.now() - t0} ms`);
    expect(result.color).toBe('blue');
    const platform = await remoteDocker.getContainer(`${deployment.id}-platform-blue`).inspect();
    expect(platform.Config.Image).toMatch(new RegExp(`^${registry.host}/tale-platform:${GOOD_VERSION}@sha256:[0-9a-f]{64}$`));
    // Nothing of this project on the console's own engine.
    const localDocker = new Docker({ socketPath: '/var/run/docker.sock' });
    expect(await localDocker.listContainers({ all: true, filters: { name: [deployment.id] } })).toEqual([]);
    expect((await readDeploymentColor(rt.files)).color).toBe('blue');
    expect(fs.readFileSync(path.join(added.deployDir, '.tale', 'deployment-color'), 'utf8').trim()).toBe('blue');
    url = await proxyUrlOf(remoteDocker, deployment.id);
    const r = await waitForUrl(url, { host: 'localhost', deadlineMs: 60_000 });
    expect(r.headers['x-tale-version']).toBe(GOOD_VERSION);
  }, 600_000);

  it('upgrade under load: no failed request, the new version answers after', async () => {
    // engine-resilience's pace: CI runs this beside other zero-failure tests (remote-deploy.integration.test.ts).
    const traffic = startTraffic(url, { concurrency: 10, pauseMs: 50 });
    await new Promise((r) => setTimeout(r, 1000));
    const t0 = Date.now();
    const result = await deploy(ports, { version: NEXT_VERSION });
    const ms = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 1000));
    const report = await traffic.stop();
    console.log(`tcp deploy: upgrade to ${NEXT_VERSION} in ${ms} ms; ${report.requests} requests, ${report.failed} failed, by version ${JSON.stringify(report.byVersion)}`);
    expect(result.color).toBe('green');
    expect(report.failed).toBe(0);
    expect(report.byVersion[NEXT_VERSION]).toBeGreaterThan(0);
    expect(await readPreviousVersion(rt.files)).toBe(GOOD_VERSION);
    // The fleet reads it through the same kept runtime: live colour and version from the TLS engine
    // and the console-side state files. The runtime keeps its status and reads it again every 10 s
    // (docs/environments.md#fleet), so the upgrade shows within that, never older than maxAgeMs.
    const cardOf = async () => {
      const fleet = await getFleet(local, caller, runtimeFor);
      const card = fleet.environments.find((e) => e.environment.id === added.id);
      expect(card!.ageMs).toBeLessThanOrEqual(fleet.maxAgeMs);
      return card!;
    };
    const card = await pollUntil(cardOf, (c) => c.probe.reachable && c.probe.activeVersion === NEXT_VERSION, 30_000);
    console.log(`tcp deploy: fleet card in ${card.durationMs} ms, read ${card.ageMs} ms before`);
    expect(card.probe).toMatchObject({ reachable: true, activeColor: 'green', activeVersion: NEXT_VERSION });
  }, 600_000);

  it("logs: the live platform container's lines come over the TLS endpoint", async () => {
    const ac = new AbortController();
    const { body } = await openLogDownload(rt.logs, logQuerySchema.parse({ service: 'platform' }), ac.signal);
    const text = await new Response(body).text();
    const lines = text.split('\n').filter(Boolean);
    console.log(`tcp deploy: ${lines.length} log lines of platform-green`);
    expect(lines.length).toBeGreaterThan(0);
    // The download names the container it read; the live colour after the upgrade is green.
    const direct = (await remoteDocker.getContainer(`${deployment.id}-platform-green`).logs({ stdout: true, stderr: true, tail: 5 })).toString('utf8');
    expect(direct.length).toBeGreaterThan(0);
    expect(text).toContain(NEXT_VERSION);
  }, 120_000);

  it('removal deletes the row and the material file, and leaves the engine running the stack', async () => {
    const r = await removeEnvironment(local, caller, { id: added.id, confirmName: added.name });
    expect(r.ok).toBe(true);
    forget(added.id);
    expect(fs.existsSync(tlsFile(dataDir, added.id))).toBe(false);
    expect((await remoteDocker.getContainer(`${deployment.id}-platform-green`).inspect()).State.Running).toBe(true);
  });
});
