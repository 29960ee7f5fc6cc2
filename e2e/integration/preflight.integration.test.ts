// The preflight on the real test bed, through the console's HTTP API: one project, its proxy's
// HTTP port held by a plain node server and the disk check pointed (PREFLIGHT_DATA_ROOT, for tests
// only) at a 16 MB tmpfs. Both checks fail and name the cause, a deploy is refused with
// PREFLIGHT_FAILED and nothing is created; with the node server gone and the override's reason the
// deploy runs, its timeline and audit row carrying the reason; the grown tmpfs then passes, and the
// port, now held by the project's own proxy, passes too.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreflightCheckDto, PreflightDto } from '@/lib/dto/preflight';
import { allImageRefs } from '../fixtures/registry';
import { GOOD_VERSION } from '../fixtures/versions';
import { auditEvents } from '../support/audit';
import { startConsole, type RunningConsole } from '../support/console';
import { prepareTestBedDeployment, type ConsoleDeployment } from '../support/console-deployment';
import { followToEnd } from '../support/sse-client';

const engine = new Docker({ socketPath: '/var/run/docker.sock' });
const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-preflight-disk-'));

let bed: ConsoleDeployment;
let app: RunningConsole;
let holder: ChildProcess | null = null;

const api = async (method: string, url: string, body?: unknown) => {
  const res = await fetch(`${app.baseURL}${url}`, {
    method,
    headers: { Cookie: app.cookie, ...(body === undefined ? {} : { Origin: app.baseURL, 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
};
const preflight = async () => {
  const r = await api('GET', '/api/v1/preflight');
  expect(r.status).toBe(200);
  const dto = r.json as unknown as PreflightDto;
  // Printed, not asserted: what this machine measured.
  console.log('[preflight]', JSON.stringify(dto.checks.map((c) => ({ id: c.id, status: c.status, figures: c.figures }))));
  return dto;
};
const check = (dto: PreflightDto, id: string) => dto.checks.find((c) => c.id === id) as PreflightCheckDto;
const containers = async () => (await engine.listContainers({ all: true, filters: { name: [bed.deployment.id] } })).map((c) => c.Names[0]).sort();

/** A plain node TCP server on the loopback port, as another program on the host would hold it. */
async function holdPort(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${port}, '127.0.0.1', () => console.log('listening'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the port holder exited (${code})`)));
  });
  return child;
}

beforeAll(async () => {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mountPoint]);
  bed = await prepareTestBedDeployment(allImageRefs([GOOD_VERSION]), { prefix: 'pf', extraEnv: { HEALTH_CHECK_TIMEOUT: '120', DRAIN_TIMEOUT: '5' } });
  holder = await holdPort(bed.ports.http);
  app = await startConsole({ deployDir: bed.deployment.dir, env: { PREFLIGHT_DATA_ROOT: mountPoint } });
}, 600_000);

afterAll(async () => {
  holder?.kill();
  await app?.stop();
  await bed?.dispose();
  try {
    execFileSync('umount', [mountPoint]);
  } finally {
    fs.rmSync(mountPoint, { recursive: true, force: true });
  }
}, 180_000);

describe('the preflight before a deploy', () => {
  it('fails on a port held by another process and on a disk too small for the next release, naming each', async () => {
    const dto = await preflight();
    expect(dto.status).toBe('fail');
    expect(dto.failing.sort()).toEqual(['disk', 'ports']);
    expect(check(dto, 'ports').summary).toBe(`Port ${bed.ports.http} is held by the process node (pid ${holder!.pid}).`);
    expect(check(dto, 'disk')).toMatchObject({ status: 'fail', figures: { dataRoot: mountPoint, readVia: 'statfs' }, fix: expect.stringContaining('docker image prune') });
    expect(check(dto, 'disk').figures.dataRootTotalBytes).toBe(16 * 1024 * 1024);
    // The figures are the host's, read where the console runs; none of them could not be read here.
    expect(dto.checks.filter((c) => c.status === 'unknown')).toEqual([]);
  });

  it('refuses the deploy with PREFLIGHT_FAILED naming the checks and the override, changing nothing', async () => {
    const refused = await api('POST', '/api/v1/deployments', { version: GOOD_VERSION });
    expect(refused.status).toBe(422);
    expect(refused.json).toMatchObject({ code: 'PREFLIGHT_FAILED', message: expect.stringMatching(new RegExp(`Disk for the next release: 16.0 MiB free.*Port ${bed.ports.http} is held by the process node.*"overridePreflight"`)) });
    expect(await containers()).toEqual([]);
    const denied = (await auditEvents(app.baseURL, app.cookie, 'operations.deploy'))[0];
    expect(denied).toMatchObject({ outcome: 'denied', message: 'preflight failed: disk, ports' });
  });

  it('runs the deploy overridden with a reason, recorded in the timeline and the audit trail', async () => {
    holder!.kill();
    await new Promise((r) => holder!.once('exit', r));
    holder = null;
    expect((await preflight()).failing).toEqual(['disk']);
    const reason = 'the data root is a test tmpfs';
    const started = await api('POST', '/api/v1/deployments', { version: GOOD_VERSION, overridePreflight: { reason } });
    expect(started.status, JSON.stringify(started.json)).toBe(202);
    const run = await followToEnd(`${app.baseURL}/api/operations/${String(started.json.id)}/events`, { cookie: app.cookie, timeoutMs: 280_000, context: () => app.output().slice(-3000) });
    expect(run.end.status).toBe('succeeded');
    expect(run.events[0]).toMatchObject({ step: 'preflight', status: 'skipped', data: { failing: ['disk'], reason }, text: `Preflight failed (disk) and was overridden, reason: ${reason}` });
    const audit = (await auditEvents(app.baseURL, app.cookie, 'operations.deploy'))[0];
    expect(audit).toMatchObject({ outcome: 'success' });
    expect(JSON.stringify(audit)).toContain(reason);
  }, 300_000);

  it('passes once the disk has room, with the port held by the project’s own proxy', async () => {
    execFileSync('mount', ['-o', 'remount,size=64g', mountPoint]);
    const dto = await preflight();
    expect(check(dto, 'disk').status).toBe('pass');
    expect(check(dto, 'ports')).toMatchObject({ status: 'pass', summary: expect.stringContaining(`${bed.ports.http} is held by this project's proxy`) });
    expect(dto.failing).toEqual([]);
  });
});
