import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationDto } from '@/lib/dto/operations';
import type { PromotionPreviewDto } from '@/lib/dto/promotion';
import { envValues, parseEnvDocument } from '@/server/project/env-document';
import { createDeployment, type Deployment } from '../fixtures/deployment';
import { waitForUrl } from '../fixtures/http-get';
import { allImageRefs, manifestDigest, type Registry } from '../fixtures/registry';
import { startRemoteHost, type RemoteHost } from '../fixtures/remote-host';
import { docker, runCommand } from '../fixtures/run-command';
import { GOOD_VERSION, NEXT_VERSION, SERVICES, localImage, registryImage } from '../fixtures/versions';
import { consoleDb, consoleApi, startConsole, type RunningConsole } from '../support/console';
import { prepareTestBedDeployment } from '../support/console-deployment';
import { publishProxyOnLoopback } from '../support/loopback-proxy';

// Promotion by digest (#21, docs/environments.md#promotion) against a built console: the local
// environment runs GOOD_VERSION (deployed through the API, so its release record holds the
// digests), a second Docker Engine behind a real sshd is added through the API as an environment,
// and then the GOOD_VERSION tag is moved in the registry to NEXT_VERSION's bytes. Promoting local →
// remote must run the recorded digests there, not what the tag says now. The preview shows a .env
// difference (secrets as "differs", never their values) and the proven-time check refuses a
// minimum longer than the release has run. Then a promotion over the remote's live version goes
// through the remote's preflight and backup gate: refused without a repository, and recorded as a
// typed skip when skipped with a reason.

let registry: Registry;
let local: Deployment;
let remote: Deployment;
let remotePorts: { http: number; https: number };
let host: RemoteHost;
let app: RunningConsole;
let remoteDocker: Docker;
let envId = '';

beforeAll(async () => {
  // One after the other: afterAll disposes only what was assigned.
  ({ registry, deployment: local } = await prepareTestBedDeployment(allImageRefs([GOOD_VERSION, NEXT_VERSION]), { prefix: 't6pr-loc', extraEnv: { HEALTH_CHECK_TIMEOUT: '120', DRAIN_TIMEOUT: '2' } }));
  host = await startRemoteHost({ id: 't6pr' });
  // The remote host's own project: another id, its own secrets, and one setting that differs.
  remote = await createDeployment({ registry: registry.host, prefix: 't6pr-rem', extraEnv: { HEALTH_CHECK_TIMEOUT: '150', DRAIN_TIMEOUT: '2' } });
  remotePorts = await publishProxyOnLoopback(remote.dir);
  await runCommand('chown', ['-R', `${host.ssh.user}:${host.ssh.user}`, remote.dir]);
  app = await startConsole({ deployDir: local.dir });
  remoteDocker = new Docker({ socketPath: host.dockerHost.replace(/^unix:\/\//, ''), timeout: 30_000 });
}, 600_000);

afterAll(async () => {
  await app?.stop();
  await host?.dispose(); // the second engine's containers, networks and volumes go with it
  await remote?.dispose();
  await local?.dispose();
  await registry?.stop();
}, 180_000);

const api = <T>(method: string, url: string, body?: unknown) => consoleApi(app)<T>(method, url, body);

async function finished(id: string, env: string): Promise<OperationDto> {
  for (const deadline = Date.now() + 400_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 1000))) {
    const op = await api<OperationDto>('GET', `/api/v1/operations/${id}?env=${env}`);
    if (op.status === 200 && op.json.status !== 'running') return op.json;
  }
  throw new Error(`operation ${id} still running; console: ${app.output().slice(-2000)}`);
}

type Record_ = { version: string; digests: Record<string, string>; color: string };
const envFile = (file: string) => envValues(parseEnvDocument(fs.readFileSync(file, 'utf8')));
const localRecords = (): Record_[] => (JSON.parse(fs.readFileSync(path.join(local.dir, '.tale', 'console-releases.json'), 'utf8')) as { releases: Record_[] }).releases;

describe('promotion by digest, local → remote over SSH', () => {
  it('deploys local, adds the remote environment, moves the tag, and promotes exactly the recorded digests', async () => {
    let t0 = Date.now();
    const started = await api<OperationDto>('POST', '/api/v1/deployments', { version: GOOD_VERSION });
    expect(started.status, started.text).toBe(202);
    expect((await finished(started.json.id, 'local')).status).toBe('succeeded');
    console.log(`promotion: local deploy of ${GOOD_VERSION} in ${Date.now() - t0} ms`);
    const record = localRecords()[0]!;
    expect(record.version).toBe(GOOD_VERSION);
    expect(Object.keys(record.digests).sort()).toEqual([...SERVICES].sort());

    t0 = Date.now();
    const form = { name: 't6pr remote', colour: 'amber', endpoint: `ssh://${host.ssh.user}@${host.ssh.host}:${host.ssh.port}`, deployDir: remote.dir, privateKey: host.privateKey };
    const scan = await api<{ hostKey: { fingerprint: string } }>('POST', '/api/v1/environments/scan', form);
    expect(scan.status, scan.text).toBe(200);
    expect(scan.json.hostKey.fingerprint).toBe(await host.hostKeyFingerprint());
    const added = await api<{ id: string }>('POST', '/api/v1/environments', { ...form, hostKeyFingerprint: scan.json.hostKey.fingerprint });
    expect(added.status, added.text).toBe(201);
    envId = added.json.id;
    console.log(`promotion: environment scanned and added in ${Date.now() - t0} ms`);

    // The tag moves: GOOD_VERSION in the registry now names NEXT_VERSION's bytes.
    for (const service of SERVICES) {
      const target = registryImage(registry.host, service, GOOD_VERSION);
      await docker(['tag', localImage(service, NEXT_VERSION), target]);
      await docker(['push', '-q', target], { timeoutMs: 300_000 });
    }
    const moved = await manifestDigest(registry, { service: 'platform', version: GOOD_VERSION });
    expect(moved).not.toBe(record.digests.platform);

    // The preview: the recorded release, a setting that differs, secrets only as "differs".
    const preview = await api<PromotionPreviewDto>('GET', `/api/v1/promotions/preview?env=${envId}&from=local`);
    expect(preview.status, preview.text).toBe(200);
    expect(preview.json.source).toMatchObject({ id: 'local', release: { version: GOOD_VERSION, digests: record.digests } });
    expect(preview.json.destination).toMatchObject({ id: envId, version: null });
    expect(preview.json.env).toContainEqual({ key: 'HEALTH_CHECK_TIMEOUT', kind: 'changed', before: '120', after: '150', secret: false });
    expect(preview.json.env).toContainEqual({ key: 'BETTER_AUTH_SECRET', kind: 'changed', before: '••••••••', after: '••••••••', secret: true });
    expect(preview.json.blocked).toBeNull();
    for (const dir of [local.dir, remote.dir]) {
      const env = envFile(path.join(dir, '.env'));
      for (const key of ['BETTER_AUTH_SECRET', 'DB_PASSWORD', 'INSTANCE_SECRET']) expect(preview.text).not.toContain(env[key]);
    }

    // Proven time: the release has run for less than an hour.
    const unproven = await api<{ code: string; message: string }>('POST', `/api/v1/promotions?env=${envId}`, { from: 'local', minCleanMinutes: 60 });
    expect(unproven.status, unproven.text).toBe(422);
    expect(unproven.json.code).toBe('PROMOTION_NOT_PROVEN');
    expect(unproven.json.message).toMatch(/has run this release for \d+ min, with no incident\. The promotion asks for 60 min/);

    t0 = Date.now();
    const promoted = await api<OperationDto>('POST', `/api/v1/promotions?env=${envId}`, { from: 'local' });
    expect(promoted.status, promoted.text).toBe(202);
    expect(promoted.json.kind).toBe('promote');
    const op = await finished(promoted.json.id, envId);
    console.log(`promotion: promote to the remote environment in ${Date.now() - t0} ms (${op.status})`);
    expect(op.status, JSON.stringify(op.result)).toBe('succeeded');
    expect(op.params).toMatchObject({ from: 'local', version: GOOD_VERSION, digests: record.digests });

    // The remote engine runs the recorded bytes: every container's image is pinned to the record's
    // digest, and the pulled image carries it; the moved tag's bytes are not what answers.
    const containers = await remoteDocker.listContainers({ all: true, filters: { label: [`com.docker.compose.project.working_dir=${remote.dir}`] } });
    expect(containers.length).toBeGreaterThan(0);
    const seen = new Set<string>();
    for (const c of containers) {
      const info = await remoteDocker.getContainer(c.Id).inspect();
      const service = info.Config.Labels['com.docker.compose.service']!.replace(/-(blue|green)$/, '');
      const digest = record.digests[service];
      expect(digest, service).toBeDefined();
      expect(info.Config.Image, service).toBe(`${registryImage(registry.host, service as (typeof SERVICES)[number], GOOD_VERSION)}@${digest}`);
      const image = await remoteDocker.getImage(info.Image).inspect();
      expect(image.RepoDigests).toContain(`${registry.host}/tale-${service}@${digest}`);
      seen.add(service);
    }
    expect([...seen].sort()).toEqual([...SERVICES].sort());
    const answer = await waitForUrl(`http://127.0.0.1:${remotePorts.http}/`, { host: 'localhost', deadlineMs: 60_000 });
    expect(answer.headers['x-tale-version']).toBe(GOOD_VERSION);
    // The destination kept its own .env.
    expect(envFile(path.join(remote.dir, '.env')).HEALTH_CHECK_TIMEOUT).toBe('150');

    // Again: the same digests are live there now, nothing to do.
    const again = await api<{ code: string }>('POST', `/api/v1/promotions?env=${envId}`, { from: 'local' });
    expect(again.json.code, again.text).toBe('PROMOTION_NOTHING_TO_DO');

    const db = consoleDb(app);
    try {
      const rows = db.prepare("SELECT outcome, message FROM audit_events WHERE action = 'deployment.promote' ORDER BY id").all() as { outcome: string; message: string }[];
      expect(rows.map((r) => r.outcome)).toEqual(['denied', 'success', 'denied']);
      const stored = db.prepare('SELECT kind, environment_id AS env FROM operations WHERE id = ?').get(op.id);
      expect(stored).toEqual({ kind: 'promote', env: envId });
    } finally {
      db.close();
    }
  }, 900_000);

  it('a promotion over a live version goes through the destination’s preflight and backup gate, as an upgrade there', async () => {
    // The local environment moves on to NEXT_VERSION (no backup repository on this test bed: skipped, with the reason).
    const skipBackup = { reason: 'test bed without a backup repository' };
    let t0 = Date.now();
    const upgraded = await api<OperationDto>('POST', '/api/v1/deployments', { version: NEXT_VERSION, skipBackup });
    expect(upgraded.status, upgraded.text).toBe(202);
    expect((await finished(upgraded.json.id, 'local')).status).toBe('succeeded');
    console.log(`promotion: local upgrade to ${NEXT_VERSION} in ${Date.now() - t0} ms`);

    // The remote runs GOOD_VERSION: promoting NEXT_VERSION changes its live version, so the
    // pre-upgrade backup comes first, and the remote environment has no repository yet. The
    // preview says so, with the remote's preflight.
    const preview = await api<PromotionPreviewDto>('GET', `/api/v1/promotions/preview?env=${envId}&from=local`);
    expect(preview.status, preview.text).toBe(200);
    expect(preview.json.destination.version).toBe(GOOD_VERSION);
    expect(preview.json.backup).toEqual({ required: true, repository: 'none', last: null });
    expect(preview.json.preflight.failing).toEqual([]);
    const refused = await api<{ code: string; message: string }>('POST', `/api/v1/promotions?env=${envId}`, { from: 'local' });
    expect(refused.status, refused.text).not.toBe(202);
    expect(refused.json.code).toBe('BACKUP_GATE_NO_REPOSITORY');
    expect(refused.json.message).toContain('before a promotion');

    t0 = Date.now();
    const reason = 'the remote test host is rebuilt for every run';
    const promoted = await api<OperationDto>('POST', `/api/v1/promotions?env=${envId}`, { from: 'local', skipBackup: { reason } });
    expect(promoted.status, promoted.text).toBe(202);
    const op = await finished(promoted.json.id, envId);
    console.log(`promotion: promote ${NEXT_VERSION} over ${GOOD_VERSION} on the remote in ${Date.now() - t0} ms (${op.status})`);
    expect(op.status, JSON.stringify(op.error)).toBe('succeeded');
    expect(op.params).toMatchObject({ version: NEXT_VERSION, skipBackup: { reason } });
    expect(op.result).toMatchObject({ version: NEXT_VERSION, backupSkipped: reason });
    const db = consoleDb(app);
    try {
      const events = db.prepare('SELECT step, status, data FROM operation_events WHERE operation_id = ? ORDER BY seq').all(op.id) as { step: string; status: string; data: string | null }[];
      // The destination's preflight ran first, then the gate recorded the typed skip for this version change.
      expect(events[0]).toMatchObject({ step: 'preflight', status: 'succeeded' });
      const gate = events.find((e) => e.step === 'pre-upgrade-backup');
      expect(gate?.status).toBe('skipped');
      expect(JSON.parse(gate!.data!)).toEqual({ from: GOOD_VERSION, to: NEXT_VERSION, reason });
      const audit = db.prepare("SELECT outcome, message, params FROM audit_events WHERE action = 'deployment.promote' ORDER BY id DESC LIMIT 2").all() as { outcome: string; message: string; params: string }[];
      expect(audit.map((a) => a.outcome)).toEqual(['success', 'denied']);
      expect(audit[0]!.params).toContain(reason);
      expect(audit[1]!.message).toBe('no backup repository yet for the pre-upgrade backup');
    } finally {
      db.close();
    }
    const answer = await waitForUrl(`http://127.0.0.1:${remotePorts.http}/`, { host: 'localhost', deadlineMs: 60_000 });
    expect(answer.headers['x-tale-version']).toBe(NEXT_VERSION);
  }, 900_000);
});
