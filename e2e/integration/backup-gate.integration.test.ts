// The backup gate on the real test bed, through the console's HTTP API: a deployment of 1.0.0 with
// rows in its databases, then an upgrade to 1.1.0 under a request loop. Without any repository the
// upgrade is refused at once; with the repository made unreachable (moved away: the console runs as
// root, which a read-only mode would not stop) it fails before any container changes and says why;
// with the repository in place the pre-upgrade backup runs, then the upgrade, and no request fails
// over both; a rollback with the backup skipped records the reason in the audit trail.
import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupListDto } from '@/lib/dto/backups';
import type { OperationDto, StackStatusDto } from '@/lib/dto/operations';
import type { Deployment } from '../fixtures/deployment';
import { httpGet } from '../fixtures/http-get';
import { runLoad } from '../fixtures/load';
import { pollUntil } from '../fixtures/poll';
import { allImageRefs, type Registry } from '../fixtures/registry';
import { docker as dockerCli } from '../fixtures/run-command';
import { GOOD_VERSION, NEXT_VERSION } from '../fixtures/versions';
import { auditEvents } from '../support/audit';
import { startConsole, type RunningConsole } from '../support/console';
import { prepareTestBedDeployment } from '../support/console-deployment';
import { followToEnd } from '../support/sse-client';

const engine = new Docker({ socketPath: '/var/run/docker.sock' });

let registry: Registry;
let deployment: Deployment;
let app: RunningConsole;
let siteUrl: string;

const api = async (method: string, url: string, body?: unknown) => {
  const res = await fetch(`${app.baseURL}${url}`, {
    method,
    headers: { Cookie: app.cookie, ...(body === undefined ? {} : { Origin: app.baseURL, 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
};
const follow = (id: string) => followToEnd(`${app.baseURL}/api/operations/${id}/events`, { cookie: app.cookie, timeoutMs: 280_000, context: () => app.output().slice(-3000) });
const backups = async () => (await api('GET', '/api/v1/backups')).json as unknown as BackupListDto;
const liveVersion = async () => ((await api('GET', '/api/v1/status')).json as unknown as StackStatusDto).activeVersion;
const served = async () => (await httpGet(siteUrl, { host: 'localhost' })).headers['x-tale-version'];

/** Every container of the project: id, name, state and image; equal before and after means nothing changed. */
async function containers(): Promise<string[]> {
  const list = await engine.listContainers({ all: true, filters: { name: [deployment.id] } });
  return list.map((c) => `${c.Id} ${c.Names.join(',')} ${c.State} ${c.Image}`).sort();
}

beforeAll(async () => {
  const bed = await prepareTestBedDeployment(allImageRefs([GOOD_VERSION, NEXT_VERSION]), { prefix: 'gt', extraEnv: { HEALTH_CHECK_TIMEOUT: '120', DRAIN_TIMEOUT: '5' } });
  ({ registry, deployment } = bed);
  siteUrl = `http://127.0.0.1:${bed.ports.http}/`;
  app = await startConsole({ deployDir: deployment.dir });
  // The first deploy changes no live version: the gate does not apply.
  const first = await api('POST', '/api/v1/deployments', { version: GOOD_VERSION });
  expect(first.status, JSON.stringify(first.json)).toBe(202);
  expect((await follow(String(first.json.id))).end.status).toBe('succeeded');
  // Tale's init scripts create tale_platform and tale_knowledge in the background after start.
  await pollUntil(() => dockerCli(['exec', `${deployment.id}-db`, 'test', '-f', '/tmp/.db_ready']).then(() => true, () => false), Boolean, 120_000, 500);
  // Some rows for the backup to carry (about 8 MB of dump).
  await dockerCli(['exec', `${deployment.id}-db`, 'psql', '--no-psqlrc', '-v', 'ON_ERROR_STOP=1', '-U', 'tale', '-d', 'tale_platform', '-c',
    'CREATE TABLE public.gate_rows (id int PRIMARY KEY, payload text); INSERT INTO public.gate_rows SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 30000) g;']);
}, 600_000);

afterAll(async () => {
  await app?.stop();
  await deployment?.dispose();
  await registry?.stop();
}, 180_000);

describe('the backup gate before upgrades', () => {
  it('refuses the upgrade at once while no backup repository exists, saying an admin must take the first backup or skip it', async () => {
    const before = await containers();
    const refused = await api('POST', '/api/v1/deployments', { version: NEXT_VERSION });
    expect(refused.status).toBe(422);
    expect(refused.json).toMatchObject({ code: 'BACKUP_GATE_NO_REPOSITORY', message: expect.stringMatching(/An admin must take the first backup.*"skipBackup"/) });
    expect(await containers()).toEqual(before);
    expect(await liveVersion()).toBe(GOOD_VERSION);

    // An admin's first backup creates the repository (and shows its password once).
    const first = await api('POST', '/api/v1/backups', {});
    expect(first.status, JSON.stringify(first.json)).toBe(202);
    expect(first.json.repositoryPassword).toEqual(expect.any(String));
    expect((await follow(String(first.json.id))).end.status).toBe('succeeded');
  }, 300_000);

  it('does not start the upgrade when the repository is unreachable, and says why and how to skip', async () => {
    const repository = path.join(app.dataDir, 'backups');
    const away = `${repository}.away`;
    const listed = (await backups()).backups.length;
    const before = await containers();
    fs.renameSync(repository, away);
    let end: OperationDto;
    try {
      const started = await api('POST', '/api/v1/deployments', { version: NEXT_VERSION });
      expect(started.status, JSON.stringify(started.json)).toBe(202);
      ({ end } = await follow(String(started.json.id)));
    } finally {
      fs.renameSync(away, repository);
    }
    console.log(`[gate] unreachable repository: ${end.error?.code}: ${end.error?.message}`);
    expect(end.status).toBe('failed');
    expect(end.error?.code).toBe('PRE_UPGRADE_BACKUP_FAILED');
    expect(end.error?.message).toContain('no container was changed');
    expect(end.error?.message).toContain(`There is no backup repository at the configured location. (BACKUP_REPOSITORY_MISSING; repository ${repository})`);
    expect(end.error?.message).toContain('"skipBackup"');
    expect(await containers()).toEqual(before);
    expect(await liveVersion()).toBe(GOOD_VERSION);
    expect(await served()).toBe(GOOD_VERSION);
    expect((await backups()).backups).toHaveLength(listed);
  }, 300_000);

  it('under load: the pre-upgrade backup, then the upgrade, with no failed request over both', async () => {
    const stop = new AbortController();
    const load = runLoad({ url: siteUrl, host: 'localhost', concurrency: 4, pauseMs: 20, durationMs: 600_000, timeoutMs: 15_000, signal: stop.signal });
    const t0 = Date.now();
    let followed;
    try {
      const started = await api('POST', '/api/v1/deployments', { version: NEXT_VERSION });
      expect(started.status, JSON.stringify(started.json)).toBe(202);
      followed = await follow(String(started.json.id));
    } finally {
      stop.abort();
    }
    const summary = await load;
    const { events, end } = followed;
    expect(end.status, JSON.stringify(end.error)).toBe('succeeded');

    // The backup ran inside the deploy, after its plan and before its first change.
    const gate = events.filter((e) => e.step === 'pre-upgrade-backup');
    expect(gate.map((e) => e.status)).toEqual(['started', 'succeeded']);
    const seqOf = (step: string) => events.find((e) => e.step === step)!.seq;
    const backedUp = gate[1]!;
    expect(seqOf('plan')).toBeLessThan(gate[0]!.seq);
    expect(events.filter((e) => e.step === 'backup' && e.status === 'succeeded').every((e) => e.seq < backedUp.seq)).toBe(true);
    for (const change of ['pull', 'start', 'switch']) expect(seqOf(change)).toBeGreaterThan(backedUp.seq);
    const backupMs = Date.parse(backedUp.at) - Date.parse(gate[0]!.at);
    const totalMs = Date.now() - t0;

    const listedBackup = (await backups()).backups.find((b) => b.backupId === end.result?.backupId);
    expect(listedBackup).toMatchObject({ kind: 'pre-upgrade', startedBy: 'admin@example.com', release: { version: GOOD_VERSION } });
    expect(backedUp.data).toMatchObject({ from: GOOD_VERSION, to: NEXT_VERSION, backupId: listedBackup!.backupId });
    expect(await served()).toBe(NEXT_VERSION);

    console.log(
      `[gate] upgrade ${GOOD_VERSION} -> ${NEXT_VERSION} under load: ${summary.requests} requests, ${summary.failed} failed ${JSON.stringify(summary.failuresByKind)}, by version ${JSON.stringify(summary.byVersion)}; ` +
        `pre-upgrade backup ${(listedBackup!.bytes / 1e6).toFixed(1)} MB in ${(backupMs / 1000).toFixed(1)} s (manifest: ${listedBackup!.durationMs} ms), whole operation ${(totalMs / 1000).toFixed(1)} s`,
    );
    expect(summary.failed, JSON.stringify(summary.failuresByKind)).toBe(0);
    expect(summary.byVersion[GOOD_VERSION] ?? 0).toBeGreaterThan(0);
    expect(summary.byVersion[NEXT_VERSION] ?? 0).toBeGreaterThan(0);
  }, 600_000);

  it('rolls back without the backup when skipped with a reason, which the audit trail and the timeline keep', async () => {
    const listed = (await backups()).backups.length;
    const short = await api('POST', '/api/v1/rollbacks', { skipBackup: { reason: ' too short ' } });
    expect([short.status, short.json.code]).toEqual([400, 'INVALID_INPUT']);
    const reason = 'rolling back at once: 1.1.0 breaks the login page';
    const started = await api('POST', '/api/v1/rollbacks', { skipBackup: { reason: `  ${reason}  ` } });
    expect(started.status, JSON.stringify(started.json)).toBe(202);
    const { events, end } = await follow(String(started.json.id));
    expect(end.status, JSON.stringify(end.error)).toBe('succeeded');
    expect(events.find((e) => e.step === 'pre-upgrade-backup')).toMatchObject({ status: 'skipped', data: { reason, from: NEXT_VERSION, to: GOOD_VERSION } });
    expect(events.some((e) => e.step === 'backup')).toBe(false);
    expect((await backups()).backups).toHaveLength(listed);
    expect(await served()).toBe(GOOD_VERSION);
    const audit = await auditEvents(app.baseURL, app.cookie, 'operations.rollback');
    const row = audit.find((e) => e.target === started.json.id);
    expect(row?.outcome).toBe('success');
    expect(JSON.parse(row?.params ?? 'null')).toMatchObject({ skipBackup: { reason } });
  }, 300_000);
});
