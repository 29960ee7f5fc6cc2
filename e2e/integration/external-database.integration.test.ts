// The external-database wizard's steps against real servers from the test bed: a PostgreSQL 17 +
// pgvector container (init scripts masked, so it starts empty) as the external server, the same
// image without pgvector for the refusal, then a deploy through the engine with no db container.
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeployment, newProjectId, removeProjectResources, type Deployment } from '@/e2e/fixtures/deployment';
import { bridgeGateway, startEmptyPostgres } from '@/e2e/fixtures/empty-postgres';
import { ensureFixtureImages } from '@/e2e/fixtures/fixture-images';
import { freeLoopbackPort } from '@/e2e/fixtures/free-port';
import { pollUntil } from '@/e2e/fixtures/poll';
import { allImageRefs, pushImages, startRegistry, type Registry } from '@/e2e/fixtures/registry';
import { GOOD_VERSION, NO_PGVECTOR_VERSION } from '@/e2e/fixtures/versions';
import { testBedPorts } from '@/server/docker/test-bed-ports';
import { createDockerPort } from '@/server/docker/docker-adapter';
import { createNetworkProbe } from '@/server/docker/network-probe';
import { deploy } from '@/server/engine/deploy';
import { withClient, type ConnectTarget } from '@/server/postgres/connection';
import { SERVICE_URL_KEYS, type ServiceUrls } from '@/server/postgres/service-urls';
import { verifyServiceUrls } from '@/server/postgres/verify';
import { readComposeOverride } from '@/server/project/compose-override';
import { readEnvFile } from '@/server/project/env-file';
import {
  checkServer,
  configureProject,
  connectFromStack,
  databaseMode,
  prepareServer,
  testConnection,
  useBundledDatabase,
  verifyProject,
  verifyProjectFromStack,
  type StackAccess,
} from '@/server/services/external-database-steps';
import type { PrepareResultDto } from '@/lib/dto/external-database';
import { localDir } from '@/server/project/file-ops';

const docker = new Docker({ socketPath: '/var/run/docker.sock', timeout: 30_000 });
// Characters that must be URL-encoded, to prove the admin side never builds a URL by hand.
const ADMIN_PASSWORD = 'adm!n p@ss:w/rd#%';

async function startServer(project: string, name: string, version: string, onBridge = false): Promise<ConnectTarget & { bridge: { host: string; port: number } | null }> {
  const { admin, bridge } = await startEmptyPostgres({ project, name, adminPassword: ADMIN_PASSWORD, version, onBridge });
  const target: ConnectTarget = { ...admin, sslMode: 'disable' };
  await pollUntil(() => testConnection(target).then(() => true, () => false), Boolean, 60_000, 500);
  return { ...target, bridge };
}

/** The wizard's probe containers still on the host (each removes itself). */
async function probeContainers(): Promise<string[]> {
  const list = await docker.listContainers({ all: true, filters: { label: ['io.tale.console.probe=true'] } });
  return list.map((c) => c.Names[0] ?? c.Id);
}

/**
 * A TCP relay to `port` that cuts its first session at the client's first query (after sign-in),
 * as a server or network that drops a connection does: the client sees it end without an error.
 */
async function droppingRelay(port: number): Promise<{ port: number; dropped: () => number; close: () => void }> {
  let sessions = 0;
  let dropped = 0;
  const server = net.createServer((client) => {
    const first = sessions++ === 0;
    const upstream = net.connect(port, '127.0.0.1');
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.pipe(client);
    client.on('data', (chunk) => {
      // After the startup and SASL messages ('p'), a Parse ('P') or simple Query ('Q') is the first query.
      if (first && (chunk[0] === 0x50 || chunk[0] === 0x51)) {
        dropped += 1;
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    client.on('end', () => upstream.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, dropped: () => dropped, close: () => server.close() };
}

const states = (r: PrepareResultDto) => Object.fromEntries(r.steps.map((s) => [s.id, s.state]));

describe('external database wizard on real servers', () => {
  const serverProject = newProjectId('extpg');
  let registry: Registry;
  let deployment: Deployment;
  let admin: ConnectTarget;
  let noVector: ConnectTarget;
  let firstPassword: string;
  let rolePassword: string;
  let onBridge: ConnectTarget;
  let access: StackAccess;

  beforeAll(async () => {
    await ensureFixtureImages();
    [admin, noVector] = await Promise.all([
      startServer(serverProject, 'pg17', GOOD_VERSION, true),
      startServer(serverProject, 'novector', NO_PGVECTOR_VERSION),
    ]);
    const bridge = (admin as Awaited<ReturnType<typeof startServer>>).bridge!;
    onBridge = { ...admin, host: bridge.host, port: bridge.port };
    registry = await startRegistry();
    // The engine resolves every image of a release, db included, even when it will not run it.
    await pushImages(registry, allImageRefs([GOOD_VERSION]));
    deployment = await createDeployment({ registry: registry.host, prefix: 'extdb', extraEnv: { HEALTH_CHECK_TIMEOUT: '120' } });
    // What the console's runtime hands the wizard: the engine's Docker port and the network probe.
    access = { docker: createDockerPort(docker), probe: createNetworkProbe(docker), files: localDir(deployment.dir) };
  }, 600_000);

  afterAll(async () => {
    await deployment?.dispose();
    await registry?.stop();
    await removeProjectResources(serverProject);
  }, 120_000);

  it('connects and reports the version and that TLS was not used', async () => {
    const c = await testConnection(admin);
    expect(c.majorVersion).toBe(17);
    expect(c.serverVersion).toMatch(/^17\./);
    expect(c.tls).toBe(false);
  });

  it('refuses 127.0.0.1 at Connect, with the reason and the bridge address, though the console itself reaches it', async () => {
    // The console's process does reach the server there (what every step used to check) ...
    expect((await testConnection(admin)).majorVersion).toBe(17);
    // ... but Tale's containers would not: refused before any probe runs.
    const gateway = await bridgeGateway();
    const refused = await connectFromStack(access, admin).then(() => null, (err: unknown) => err as { code: string; message: string });
    expect(refused?.code).toBe('DB_UNREACHABLE_FROM_STACK');
    expect(refused?.message).toContain("127.0.0.1 is a loopback address: inside Tale's containers it means the container itself");
    expect(refused?.message).toContain(`the host's address on the Docker bridge, ${gateway}`);
    expect(refused?.message).not.toContain(ADMIN_PASSWORD);
    expect(await probeContainers()).toEqual([]);
  }, 60_000);

  it('passes Connect with the same server at the bridge address, signed in from the stack network', async () => {
    const started = Date.now();
    const c = await connectFromStack(access, onBridge);
    console.log(`[figures] Connect from the stack network (probe container + console connection): ${Date.now() - started} ms`);
    expect(c.majorVersion).toBe(17);
    // The probe ran on the stack's network (created as a deploy would) and left nothing behind.
    const net = await docker.getNetwork(`${deployment.id}_internal`).inspect();
    expect(net.Labels).toMatchObject({ project: deployment.id });
    expect(await probeContainers()).toEqual([]);
    // Nothing listening there: psql's reason from the stack's network, and what to enter instead.
    const closed = await freeLoopbackPort();
    await expect(connectFromStack(access, { ...onBridge, port: closed })).rejects.toMatchObject({
      code: 'DB_UNREACHABLE_FROM_STACK',
      message: expect.stringMatching(new RegExp(`^Tale's containers cannot reach ${onBridge.host.replace(/\./g, '\\.')}:${closed}: .*Connection refused.*Enter the host's address`)),
    });
    // A wrong password is refused from the stack's network too, without echoing it.
    const wrong = await connectFromStack(access, { ...onBridge, password: 'not-the-password' }).then(() => null, (err: unknown) => err as { code: string; message: string });
    expect(wrong?.code).toBe('PG_AUTH_FAILED');
    expect(wrong?.message).not.toContain('not-the-password');
    expect(await probeContainers()).toEqual([]);
  }, 120_000);

  it('refuses a wrong password, a closed port, a silent server and TLS the server lacks, each with its message', async () => {
    await expect(testConnection({ ...admin, password: 'wrong' })).rejects.toMatchObject({ code: 'PG_AUTH_FAILED', message: expect.stringContaining('refused the password') });
    const closed = await freeLoopbackPort();
    await expect(testConnection({ ...admin, port: closed })).rejects.toMatchObject({ code: 'PG_UNREACHABLE', message: expect.stringContaining('connection refused') });
    // A listener that accepts and never speaks: only our connect timeout ends the attempt.
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      await expect(testConnection({ ...admin, port })).rejects.toMatchObject({ code: 'PG_TIMEOUT', message: expect.stringContaining('within 10 s') });
    } finally {
      silent.close();
    }
    await expect(testConnection({ ...admin, sslMode: 'require' })).rejects.toMatchObject({ code: 'PG_TLS_FAILED', message: expect.stringContaining('does not offer TLS') });
  }, 60_000);

  it('fails the vector check on a server without pgvector, with the fix, and will not prepare it', async () => {
    const r = await checkServer(noVector);
    expect(r.ok).toBe(false);
    const vector = r.checks.find((c) => c.id === 'vector');
    expect(vector).toMatchObject({ status: 'fail', required: true });
    expect(vector?.fix).toMatch(/Install pgvector/);
    expect(r.checks.find((c) => c.id === 'version')?.status).toBe('pass');
    const prepared = await prepareServer(localDir(deployment.dir), noVector, { role: 'tale', rotatePassword: false });
    expect('refused' in prepared).toBe(true);
    await withClient(noVector, async (c) => {
      expect((await c.query("SELECT 1 FROM pg_roles WHERE rolname = 'tale'")).rowCount).toBe(0);
    });
  });

  it('fails the privilege checks for an admin without CREATEDB and CREATEROLE', async () => {
    await withClient(admin, (c) => c.query("CREATE ROLE weak_admin LOGIN PASSWORD 'weak-admin-password'"));
    const r = await checkServer({ ...admin, user: 'weak_admin', password: 'weak-admin-password' });
    expect(r.ok).toBe(false);
    expect(r.checks.find((c) => c.id === 'createdb')).toMatchObject({ status: 'fail', fix: expect.stringContaining('CREATEDB') });
    expect(r.checks.find((c) => c.id === 'createrole')).toMatchObject({ status: 'fail', fix: expect.stringContaining('CREATEROLE') });
    await withClient(admin, (c) => c.query('DROP ROLE weak_admin'));
  });

  it('takes the empty server to a verified state', async () => {
    const checks = await checkServer(admin);
    expect(checks.ok).toBe(true);
    expect(checks.checks.find((c) => c.id === 'pg_search')).toMatchObject({ status: 'warn', detail: expect.stringContaining('BM25') });

    const prepared = await prepareServer(localDir(deployment.dir), admin, { role: 'tale', rotatePassword: false });
    if ('refused' in prepared) throw new Error('refused');
    expect(prepared.ok).toBe(true);
    const s = states(prepared);
    expect(s.role).toBe('created');
    expect(s['database:tale_platform']).toBe('created');
    expect(s['database:tale_knowledge']).toBe('created');
    expect(s['extension:tale_knowledge:vector']).toBe('created');
    expect(s['extension:tale_knowledge:pg_search']).toBe('skipped');
    expect(s['search-path']).toBe('changed');
    // On empty schemas there is no table or sequence to grant on yet.
    expect(Object.entries(s).filter(([, v]) => v === 'already-present').map(([id]) => id)).toEqual(['table-grants', 'sequence-grants']);
    expect(Object.values(s)).not.toContain('failed');
    expect(prepared.passwordSource).toBe('set-now');
    firstPassword = prepared.rolePassword!;
    expect(firstPassword).toMatch(/^[A-Za-z0-9_-]{32}$/);

    const preview = await configureProject(localDir(deployment.dir), { target: admin, role: 'tale', rolePassword: firstPassword, apply: false });
    expect(preview.applied).toBe(false);
    expect(preview.envChanges.map((c) => c.key)).toEqual(['POSTGRES_URL', 'RAG_DATABASE_URL', 'CRAWLER_DATABASE_URL']);
    expect(JSON.stringify(preview)).not.toContain(firstPassword);
    expect(preview.overrideDiff).toEqual(['+ services:', '+   db:', '+     profiles: [ disabled ]']);
    expect(preview.warnings.join(' ')).toMatch(/inside Tale's containers/);
    await expect(fs.access(path.join(deployment.dir, 'compose.override.yml'))).rejects.toThrow();

    const envBefore = await fs.readFile(deployment.envFile, 'utf8');
    const applied = await configureProject(localDir(deployment.dir), { target: admin, role: 'tale', rolePassword: firstPassword, apply: true });
    expect(applied.applied).toBe(true);
    expect(applied.backups).toHaveLength(1); // .env's; the override is new
    const { values, text } = await readEnvFile(localDir(deployment.dir));
    const base = `postgresql://tale:${firstPassword}@127.0.0.1:${admin.port}`;
    expect(values.POSTGRES_URL).toBe(base);
    expect(values.RAG_DATABASE_URL).toBe(`${base}/tale_knowledge`);
    expect(values.CRAWLER_DATABASE_URL).toBe(`${base}/tale_knowledge`);
    // Byte-preserving: the old file is a prefix of the new one, the three keys appended.
    expect(text.startsWith(envBefore)).toBe(true);
    expect((await readComposeOverride(localDir(deployment.dir))).override).toEqual({ db: { disabled: true } });

    const verified = await verifyProject(localDir(deployment.dir));
    expect(verified.items.filter((i) => !i.ok)).toEqual([]);
    expect(verified.items).toHaveLength(4);
    expect(verified.items[1]!.detail).toContain('search_path public_web, private_knowledge, public');
    expect(await databaseMode(localDir(deployment.dir))).toMatchObject({ mode: 'external', external: { host: '127.0.0.1', port: admin.port, user: 'tale' } });
  }, 120_000);

  it('a second run changes nothing and keeps the role password', async () => {
    const envBefore = await fs.readFile(deployment.envFile, 'utf8');
    const overrideBefore = await fs.readFile(path.join(deployment.dir, 'compose.override.yml'), 'utf8');
    const again = await prepareServer(localDir(deployment.dir), admin, { role: 'tale', rotatePassword: false });
    if ('refused' in again) throw new Error('refused');
    const s = states(again);
    expect(Object.entries(s).filter(([id, v]) => v !== 'already-present' && id !== 'extension:tale_knowledge:pg_search')).toEqual([]);
    expect(s['extension:tale_knowledge:pg_search']).toBe('skipped');
    expect(again.rolePassword).toBeNull();
    expect(again.passwordSource).toBe('env');

    // No password given: configure keeps the one in .env, and nothing is rewritten.
    const conf = await configureProject(localDir(deployment.dir), { target: admin, role: 'tale', apply: true });
    expect(conf.envChanges).toEqual([]);
    expect(conf.overrideDiff.every((l) => l.startsWith('  '))).toBe(true);
    expect(conf.backups).toEqual([]);
    expect(await fs.readFile(deployment.envFile, 'utf8')).toBe(envBefore);
    expect(await fs.readFile(path.join(deployment.dir, 'compose.override.yml'), 'utf8')).toBe(overrideBefore);
    // The first password still signs in.
    await withClient({ ...admin, user: 'tale', password: firstPassword, database: 'tale_platform' }, (c) => c.query('SELECT 1'));
    expect((await verifyProject(localDir(deployment.dir))).ok).toBe(true);
  }, 120_000);

  it('rotates the password only when asked', async () => {
    const rotated = await prepareServer(localDir(deployment.dir), admin, { role: 'tale', rotatePassword: true });
    if ('refused' in rotated) throw new Error('refused');
    expect(states(rotated).role).toBe('changed');
    expect(rotated.rolePassword).not.toBe(firstPassword);
    rolePassword = rotated.rolePassword!;
    await expect(withClient({ ...admin, user: 'tale', password: firstPassword }, (c) => c.query('SELECT 1'))).rejects.toMatchObject({ code: 'PG_AUTH_FAILED' });
    await configureProject(localDir(deployment.dir), { target: admin, role: 'tale', rolePassword: rotated.rolePassword!, apply: true });
    expect((await verifyProject(localDir(deployment.dir))).ok).toBe(true);
  }, 120_000);

  it('verification asks once more when the server drops a session without an error', async () => {
    const { values } = await readEnvFile(localDir(deployment.dir));
    const relay = await droppingRelay(admin.port);
    try {
      const urls = Object.fromEntries(SERVICE_URL_KEYS.map((k) => [k, values[k]!.replace(`:${admin.port}`, `:${relay.port}`)])) as unknown as ServiceUrls;
      const items = await verifyServiceUrls(urls);
      expect(items.filter((i) => !i.ok)).toEqual([]);
      expect(items).toHaveLength(3);
      expect(relay.dropped()).toBe(1);
    } finally {
      relay.close();
    }
  }, 120_000);

  it('deploys through the engine with no db container; the services get the external URLs', async () => {
    const ports = testBedPorts(docker, deployment.dir);
    await deploy(ports, { version: GOOD_VERSION });
    const id = deployment.id;
    const names = (await docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${id}`] } })).map((c) => c.Names[0]);
    expect(names).not.toContain(`/${id}-db`);
    await expect(docker.getContainer(`${id}-db`).inspect()).rejects.toMatchObject({ statusCode: 404 });

    const { values } = await readEnvFile(localDir(deployment.dir));
    const envOf = async (name: string) => {
      const info = await docker.getContainer(name).inspect();
      return Object.fromEntries((info.Config.Env ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    };
    for (const name of [`${id}-platform-blue`, `${id}-rag-blue`, `${id}-crawler-blue`, `${id}-convex`]) {
      const env = await envOf(name);
      expect(env.POSTGRES_URL, name).toBe(values.POSTGRES_URL);
      expect(env.RAG_DATABASE_URL, name).toBe(values.RAG_DATABASE_URL);
      expect(env.CRAWLER_DATABASE_URL, name).toBe(values.CRAWLER_DATABASE_URL);
    }
  }, 300_000);

  it('Verify fails URLs Tale cannot reach from its network, and passes them at the bridge address', async () => {
    // .env holds 127.0.0.1 URLs: the console's own sign-ins pass (the old "4 × ok") ...
    expect((await verifyProject(localDir(deployment.dir))).ok).toBe(true);
    // ... signed in from the stack's network, each service URL fails with the reason.
    const loopback = await verifyProjectFromStack(access);
    expect(loopback.ok).toBe(false);
    expect(loopback.items.slice(0, 3).map((i) => i.ok)).toEqual([false, false, false]);
    expect(loopback.items[0]!.detail).toMatch(/^From Tale's network: 127\.0\.0\.1 is a loopback address/);

    await configureProject(localDir(deployment.dir), { target: onBridge, role: 'tale', rolePassword, apply: true });
    const started = Date.now();
    const bridged = await verifyProjectFromStack(access);
    console.log(`[figures] Verify from the stack network (3 URLs, 2 distinct probes): ${Date.now() - started} ms`);
    expect(bridged.items.filter((i) => !i.ok)).toEqual([]);
    expect(bridged.items).toHaveLength(4);
    expect(await probeContainers()).toEqual([]);
  }, 120_000);

  it('goes back to the bundled database in one action', async () => {
    const r = await useBundledDatabase(localDir(deployment.dir));
    expect(r.backups.length).toBe(2);
    const { values } = await readEnvFile(localDir(deployment.dir));
    expect(values.POSTGRES_URL).toBeUndefined();
    expect(values.RAG_DATABASE_URL).toBeUndefined();
    expect(values.CRAWLER_DATABASE_URL).toBeUndefined();
    expect(await databaseMode(localDir(deployment.dir))).toMatchObject({ mode: 'bundled', overrideFile: null });
  });
});
