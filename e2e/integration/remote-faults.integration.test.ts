// A remote environment driven through the console (#21), and its host going away. One console
// with a local stack, one remote host (e2e/fixtures/remote-host.ts: a second Docker Engine behind
// a real OpenSSH server on loopback), added through the API with scan + confirm. Through the
// console's API only: deploy v1 on the remote, upgrade to v2 under load through the remote proxy
// (0 failed requests), read a remote container's logs, roll it back to v1 (POST /api/v1/rollbacks);
// then start an upgrade and stop the host's sshd mid-operation: the operation fails with a coded
// cause naming the host, the local stack still serves; sshd back: the remote health watch
// reconnects and records the gap, its reconnect recovers the cut-off operation with a reconcile
// that removes our lock left on the host, and the next upgrade runs to the end.
import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentDto, EnvironmentScanDto } from '@/lib/dto/environments';
import type { LogLineDto } from '@/lib/dto/logs';
import type { OperationDto } from '@/lib/dto/operations';
import { createDeployment, type Deployment } from '@/e2e/fixtures/deployment';
import { ensureFixtureImages } from '@/e2e/fixtures/fixture-images';
import { httpGet, waitForUrl } from '@/e2e/fixtures/http-get';
import { allImageRefs, pushImages, startRegistry, type Registry } from '@/e2e/fixtures/registry';
import { startRemoteHost, type RemoteHost } from '@/e2e/fixtures/remote-host';
import { runCommand } from '@/e2e/fixtures/run-command';
import { GOOD_VERSION, NEXT_VERSION } from '@/e2e/fixtures/versions';
import { startTraffic } from '@/server/docker/test-bed-traffic';
import { consoleDb, consoleApi, startConsole, type RunningConsole } from '../support/console';
import { publishProxyOnLoopback } from '../support/loopback-proxy';
import { readSse } from '../support/sse-client';

let registry: Registry;
let host: RemoteHost;
let remote: Deployment;
let local: Deployment;
let app: RunningConsole;
let remoteDocker: Docker;
let envId = '';
let remoteUrl = '';
let localUrl = '';
const TRANSPORT_CODES = ['CONNECTION_LOST', 'HOST_UNREACHABLE', 'DOCKER_UNAVAILABLE'];

beforeAll(async () => {
  // One after the other: what a failed set-up started is disposed only once assigned.
  await ensureFixtureImages();
  registry = await startRegistry();
  await pushImages(registry, allImageRefs([GOOD_VERSION, NEXT_VERSION]));
  host = await startRemoteHost({ id: 't6ft' });
  const extraEnv = { HEALTH_CHECK_TIMEOUT: '150', DRAIN_TIMEOUT: '5' };
  remote = await createDeployment({ registry: registry.host, prefix: 't6ft-remote', extraEnv });
  const remotePorts = await publishProxyOnLoopback(remote.dir);
  // As `tale init` run there by its ssh user would leave it.
  await runCommand('chown', ['-R', `${host.ssh.user}:${host.ssh.user}`, remote.dir]);
  local = await createDeployment({ registry: registry.host, prefix: 't6ft-local', extraEnv });
  const localPorts = await publishProxyOnLoopback(local.dir);
  remoteUrl = `http://127.0.0.1:${remotePorts.http}/`;
  localUrl = `http://127.0.0.1:${localPorts.http}/`;
  app = await startConsole({ deployDir: local.dir });
  remoteDocker = new Docker({ socketPath: host.dockerHost.replace(/^unix:\/\//, ''), timeout: 30_000 });
}, 600_000);

afterAll(async () => {
  await host?.startSsh().catch(() => {}); // a failed test may have left it stopped
  await app?.stop();
  await host?.dispose(); // the second engine's containers, networks and volumes go with it
  await remote?.dispose();
  await local?.dispose();
  await registry?.stop();
}, 180_000);

const api = <T>(method: string, url: string, body?: unknown) => consoleApi(app)<T>(method, url, body);

/** Starts a deploy in `env` through the API (202) and answers its operation id. */
async function startDeploy(env: string, version: string, extra: Record<string, unknown> = {}): Promise<string> {
  // No backup repository on this test bed: the pre-upgrade backup is skipped, with the audited reason.
  const r = await api<OperationDto>('POST', `/api/v1/deployments?env=${env}`, { version, skipBackup: { reason: 'test bed without a backup repository' }, ...extra });
  expect(r.status, r.text).toBe(202);
  return r.json.id;
}

/** Polls the operation (through the API, in its environment) until it is no longer running. */
async function finished(env: string, id: string, deadlineMs = 400_000): Promise<OperationDto & { waitedMs: number }> {
  const t0 = Date.now();
  while (Date.now() - t0 < deadlineMs) {
    const r = await api<OperationDto>('GET', `/api/v1/operations/${id}?env=${env}`);
    expect(r.status, r.text).toBe(200);
    if (r.json.status !== 'running') return { ...r.json, waitedMs: Date.now() - t0 };
    await new Promise((res) => setTimeout(res, 500));
  }
  throw new Error(`operation ${id} still running after ${deadlineMs} ms:\n${app.output().slice(-3000)}`);
}

const query = <T>(sql: string, ...args: unknown[]): T[] => {
  const db = consoleDb(app);
  try {
    return db.prepare(sql).all(...args) as T[];
  } finally {
    db.close();
  }
};
const stepsOf = (id: string) => query<{ step: string; status: string }>('SELECT step, status FROM operation_events WHERE operation_id = ? ORDER BY seq', id);
type IncidentRow = { environment_id: string; kind: string; at: number; until: number | null; container: string | null };
const incidents = (env: string) => query<IncidentRow>('SELECT environment_id, kind, at, until, container FROM health_incidents WHERE environment_id = ? ORDER BY id', env);

describe('a remote environment through the console, and its host going away', () => {
  it('adds the remote host with scan + confirm, and deploys v1 there (and locally) through the API', async () => {
    const form = { name: 't6ft-remote', colour: 'amber', endpoint: `ssh://${host.ssh.user}@${host.ssh.host}:${host.ssh.port}`, deployDir: remote.dir, privateKey: host.privateKey };
    const scan = await api<EnvironmentScanDto>('POST', '/api/v1/environments/scan', form);
    expect(scan.status, scan.text).toBe(200);
    expect(scan.json.hostKey.fingerprint).toBe(await host.hostKeyFingerprint());
    const add = await api<EnvironmentDto>('POST', '/api/v1/environments', { ...form, hostKeyFingerprint: scan.json.hostKey.fingerprint });
    expect(add.status, add.text).toBe(201);
    envId = add.json.id;

    const t0 = Date.now();
    const [remoteOp, localOp] = await Promise.all([startDeploy(envId, GOOD_VERSION), startDeploy('local', GOOD_VERSION)]);
    const [r, l] = await Promise.all([finished(envId, remoteOp), finished('local', localOp)]);
    console.log(`remote faults: first deploy of ${GOOD_VERSION} through the console: remote ${r.status} after ${r.waitedMs} ms, local ${l.status} after ${l.waitedMs} ms (both started at once; ${Date.now() - t0} ms)`);
    expect([r.status, l.status], `${r.error?.message} / ${l.error?.message}`).toEqual(['succeeded', 'succeeded']);
    expect(r.environmentId).toBe(envId);
    // The remote operation is not the local environment's.
    expect((await api('GET', `/api/v1/operations/${remoteOp}`)).status).toBe(404);
    // The remote stack runs on the second engine, the local one on ours.
    const onRemote = await remoteDocker.listContainers({ filters: { name: [`${remote.id}-platform-blue`] } });
    expect(onRemote).toHaveLength(1);
    expect((await waitForUrl(remoteUrl, { host: 'localhost', deadlineMs: 60_000 })).headers['x-tale-version']).toBe(GOOD_VERSION);
    expect((await waitForUrl(localUrl, { host: 'localhost', deadlineMs: 60_000 })).headers['x-tale-version']).toBe(GOOD_VERSION);
    const status = await api<{ activeVersion: string | null; activeColor: string | null }>('GET', `/api/v1/status?env=${envId}`);
    expect(status.json).toMatchObject({ activeVersion: GOOD_VERSION, activeColor: 'blue' });
  }, 600_000);

  it('upgrades the remote to v2 under load through its proxy with no failed request', async () => {
    // engine-resilience's pace: CI runs this beside other zero-failure tests (remote-deploy.integration.test.ts).
    const traffic = startTraffic(remoteUrl, { concurrency: 10, pauseMs: 50 });
    await new Promise((r) => setTimeout(r, 1000));
    const t0 = Date.now();
    const op = await finished(envId, await startDeploy(envId, NEXT_VERSION));
    const ms = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 1000));
    const report = await traffic.stop();
    console.log(`remote faults: upgrade to ${NEXT_VERSION} over SSH in ${ms} ms (${op.status}); ${report.requests} requests, ${report.failed} failed, by version ${JSON.stringify(report.byVersion)}`);
    expect(op.status, op.error?.message ?? '').toBe('succeeded');
    expect(report.failed, JSON.stringify(report.load.timeline.filter((sec) => sec.failed > 0))).toBe(0);
    expect(report.byVersion[NEXT_VERSION]).toBeGreaterThan(0);
    expect((await api<{ activeVersion: string }>('GET', `/api/v1/status?env=${envId}`)).json.activeVersion).toBe(NEXT_VERSION);
  }, 600_000);

  it("streams a remote container's logs through /api/logs/stream?env=", async () => {
    const name = `${remote.id}-platform-green`;
    const lines: LogLineDto[] = [];
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 60_000);
    const t0 = Date.now();
    const status = await readSse(`${app.baseURL}/api/logs/stream?${new URLSearchParams({ env: envId, service: 'platform', color: 'green', follow: '0', tail: '20' })}`, {
      cookie: app.cookie,
      signal: ctl.signal,
      onEvent: (e) => {
        if (e.event === 'lines') lines.push(...(JSON.parse(e.data) as LogLineDto[]));
        return e.event === 'end' ? 'stop' : undefined;
      },
    });
    clearTimeout(timer);
    // Read after the stream: the container keeps logging, so its newest 200 lines hold the 20 sent.
    const fromDocker = (await remoteDocker.getContainer(name).logs({ stdout: true, stderr: true, tail: 200 })).toString('utf8');
    console.log(`remote faults: ${lines.length} log line(s) of ${name} over SSH in ${Date.now() - t0} ms`);
    expect(status).toBe(200);
    expect(lines.length).toBeGreaterThan(0);
    // The remote container's own lines (no container of that project exists on this engine).
    for (const l of lines) expect(fromDocker).toContain(l.text.trimEnd());
  }, 120_000);

  it('rolls the remote back to the previous version through the API (POST /api/v1/rollbacks?env=)', async () => {
    const t0 = Date.now();
    const r = await api<OperationDto>('POST', `/api/v1/rollbacks?env=${envId}`, { skipBackup: { reason: 'test bed without a backup repository' } });
    expect(r.status, r.text).toBe(202);
    expect(r.json).toMatchObject({ kind: 'rollback', environmentId: envId });
    const op = await finished(envId, r.json.id);
    console.log(`remote faults: rollback of the remote from ${NEXT_VERSION} over SSH in ${Date.now() - t0} ms (${op.status})`);
    expect(op.status, `${op.error?.code}: ${op.error?.message}`).toBe('succeeded');
    expect(op.result).toMatchObject({ version: GOOD_VERSION, previousVersion: NEXT_VERSION });
    // The remote proxy answers the previous version again, and the console says so.
    expect((await waitForUrl(remoteUrl, { host: 'localhost', deadlineMs: 60_000 })).headers['x-tale-version']).toBe(GOOD_VERSION);
    expect((await api<{ activeVersion: string }>('GET', `/api/v1/status?env=${envId}`)).json.activeVersion).toBe(GOOD_VERSION);
    // The local stack was never part of it.
    expect((await httpGet(localUrl, { host: 'localhost', timeoutMs: 10_000 })).headers['x-tale-version']).toBe(GOOD_VERSION);
  }, 600_000);

  it('an upgrade whose host goes away fails with a coded cause naming the host; the local site and history are unaffected', async () => {
    const localGapsBefore = incidents('local').filter((i) => i.kind === 'gap').length;
    // v1 is live again after the rollback: upgrade to v2 once more.
    const id = await startDeploy(envId, NEXT_VERSION);
    // Mid-operation: once it starts changing the remote stack.
    const tStart = Date.now();
    while (!stepsOf(id).some((s) => s.step === 'start' || s.step === 'health')) {
      if (Date.now() - tStart > 300_000) throw new Error(`no start step: ${JSON.stringify(stepsOf(id))}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const reached = stepsOf(id).at(-1);
    const tKill = Date.now();
    await host.stopSsh();
    const op = await finished(envId, id, 300_000);
    const endedMs = Date.now() - tKill;
    console.log(`remote faults: sshd stopped at ${reached?.step}:${reached?.status}; the upgrade ended ${op.status} ${endedMs} ms later: ${op.error?.code}: ${op.error?.message}`);
    expect(op.status).toBe('failed');
    expect(TRANSPORT_CODES).toContain(op.error?.code);
    expect(op.error?.message).toContain(`${host.ssh.host}:${host.ssh.port}`);

    // The local environment does not notice.
    const t1 = Date.now();
    const localAnswer = await httpGet(localUrl, { host: 'localhost', timeoutMs: 10_000 });
    expect(localAnswer.headers['x-tale-version']).toBe(GOOD_VERSION);
    const localStatus = await api<{ activeVersion: string }>('GET', '/api/v1/status');
    expect(localStatus.json.activeVersion).toBe(GOOD_VERSION);
    console.log(`remote faults: with the remote host gone the local site answered in ${Date.now() - t1} ms (proxy and /api/v1/status)`);
    const down = await api<{ code: string }>('GET', `/api/v1/status?env=${envId}`);
    console.log(`remote faults: the remote status while gone: ${down.status} ${down.text.slice(0, 200)}`);

    // Our lock is left on the gone host: the failed upgrade could not remove it.
    const lockFile = path.join(remote.dir, '.tale', 'deployment-lock');
    expect(fs.existsSync(lockFile)).toBe(true);
    const leftLock = JSON.parse(fs.readFileSync(lockFile, 'utf8')) as { pid: number; startedAt: string };

    // Back: the remote watch reconnects and records the gap, and its reconnect recovers the cut-off
    // upgrade with a reconcile of its own that removes the lock left behind.
    const tBack = Date.now();
    await host.startSsh();
    type ReconcileRow = { id: string; status: string; params: string; error_code: string | null; created_at: number };
    const recoveryOf = () =>
      query<ReconcileRow>("SELECT id, status, params, error_code, created_at FROM operations WHERE environment_id = ? AND kind = 'reconcile' ORDER BY created_at", envId).find((r) => (JSON.parse(r.params) as { interrupted?: string[] }).interrupted?.includes(id));
    let recovery = recoveryOf();
    while (!recovery || recovery.status === 'running') {
      if (Date.now() - tBack > 300_000) throw new Error(`no recovery of ${id} ended: ${JSON.stringify(recovery)}\n${app.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
      recovery = recoveryOf();
    }
    const gap = incidents(envId).find((i) => i.kind === 'gap' && i.at < tBack && i.until !== null && i.until >= tBack);
    const recoveryEvents = query<{ step: string; status: string; data: string | null }>('SELECT step, status, data FROM operation_events WHERE operation_id = ? ORDER BY seq', recovery.id);
    console.log(`remote faults: after the restart: gap ${gap ? `${gap.until! - gap.at} ms long, from ${tKill - gap.at} ms before the stop to ${gap.until! - tBack} ms after the restart` : 'not recorded'}; recovery ${recovery.status} ${recovery.created_at - tBack} ms after the restart ${recovery.params}${recovery.error_code ? ` (${recovery.error_code})` : ''}; lock still there: ${fs.existsSync(lockFile)}`);
    expect(recovery.status, JSON.stringify(recoveryEvents)).toBe('succeeded');
    expect(JSON.parse(recovery.params)).toMatchObject({ interrupted: [id], trigger: 'host-back' });
    // Its first event names the cut-off operation and why it was cut off.
    expect(JSON.parse(recoveryEvents[0]!.data ?? '{}')).toMatchObject({ recovering: id, cause: op.error?.code, trigger: 'host-back' });
    // The lock left behind (ours, dead once no operation of ours holds it) was removed by the recovery.
    expect(recoveryEvents.some((e) => (JSON.parse(e.data ?? '{}') as { lockReleased?: { pid: number; startedAt: string } }).lockReleased?.startedAt === leftLock.startedAt)).toBe(true);
    expect(fs.existsSync(lockFile)).toBe(false);
    // The watch closed the gap it was deaf for: from its last heartbeat before the stop to its reconnect.
    expect(gap, JSON.stringify(incidents(envId).filter((i) => i.kind === 'gap'))).toBeDefined();
    // The cut-off upgrade stays failed with its cause: the recovery ran beside it, it did not rewrite it.
    const cut = await api<OperationDto>('GET', `/api/v1/operations/${id}?env=${envId}`);
    expect(cut.json).toMatchObject({ status: 'failed', error: { code: op.error?.code } });

    // The next upgrade runs to the end on the recovered host.
    const nextId = await startDeploy(envId, NEXT_VERSION);
    const next = await finished(envId, nextId);
    console.log(`remote faults: the next upgrade to ${NEXT_VERSION} after the host came back: ${next.status}${next.error ? ` (${next.error.code}: ${next.error.message})` : ''} ${Date.now() - tBack} ms after the restart`);
    expect(next.status, `${next.error?.code}: ${next.error?.message}`).toBe('succeeded');
    expect(fs.existsSync(lockFile)).toBe(false);
    expect((await waitForUrl(remoteUrl, { host: 'localhost', deadlineMs: 60_000 })).headers['x-tale-version']).toBe(NEXT_VERSION);
    // The local history is untouched by the remote host's outage.
    expect(incidents('local').filter((i) => i.kind === 'gap')).toHaveLength(localGapsBefore);
    expect(incidents('local').some((i) => i.container?.startsWith(remote.id))).toBe(false);
  }, 900_000);
});
