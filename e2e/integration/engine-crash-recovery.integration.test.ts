import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationDto, OperationEventDto } from '@/lib/dto/operations';
import { rollback } from '@/server/engine/deploy';
import { createDockerPort } from '@/server/docker/docker-adapter';
import { explainFailures } from '@/server/docker/test-bed-failures';
import { testBedDocker, testBedPorts, type TimedEvent } from '@/server/docker/test-bed-ports';
import { startTraffic, type Traffic } from '@/server/docker/test-bed-traffic';
import { readReleases } from '@/server/project/release-records';
import type { Deployment } from '../fixtures/deployment';
import { freeLoopbackPort } from '../fixtures/free-port';
import { waitForUrl } from '../fixtures/http-get';
import { allImageRefs, type Registry } from '../fixtures/registry';
import { docker as dockerCli } from '../fixtures/run-command';
import { GOOD_VERSION, localImage, NEXT_VERSION, registryImage, SLOW_VERSION } from '../fixtures/versions';
import { prepareTestBedDeployment } from '../support/console-deployment';
import { signIn, startConsole, TEST_ADMIN } from '../support/console';
import { projectRoot } from '../support/paths';
import { followOperation } from '../support/sse-client';
import { localDir } from '@/server/project/file-ops';

// The console process killed with SIGKILL at each step of a deploy, on the real test bed, through
// Tale's Caddy with the load generator running the whole time. After each kill a new console
// process starts on the same data and deployment directories; it must mark the operation
// interrupted and reconcile the stack (exactly one colour under the shared names, no strays, the
// state file right, no stale lock) without dropping a request, and the next deploy must succeed.
// Then release records: a tag re-pushed with other bytes, and a rollback still runs the recorded digest.

const docker = testBedDocker();
let registry: Registry;
let deployment: Deployment;
let proxyUrl: string;
let traffic: Traffic;

interface Console {
  baseURL: string;
  cookie: string;
  /** The standalone server (start.mjs's child). */
  serverPid: number;
  parentPid: number;
  output(): string;
}
let current: Console;
let dataDir: string;

function childOf(parent: number): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

const parentOf = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
};

/** A console process on the existing data directory (users exist already, so no setup). */
async function restartConsole(): Promise<Console> {
  const port = await freeLoopbackPort();
  const baseURL = `http://127.0.0.1:${port}`;
  let out = '';
  const child = spawn(process.execPath, [path.join(projectRoot, 'scripts', 'start.mjs')], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: String(port), DATA_DIR: dataDir, DEPLOY_DIR: deployment.dir },
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const end = Date.now() + 120_000;
  while (!(await fetch(`${baseURL}/api/health/live`).then((r) => r.ok, () => false))) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`console did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const cookie = await signIn(baseURL, TEST_ADMIN.email, TEST_ADMIN.password);
  if (!cookie) throw new Error('sign-in failed');
  return { baseURL, cookie, serverPid: childOf(child.pid!) ?? child.pid!, parentPid: child.pid!, output: () => out };
}

async function kill(c: Console): Promise<void> {
  process.kill(c.serverPid, 'SIGKILL');
  // start.mjs exits when its server does; wait until both are gone.
  for (const pid of [c.serverPid, c.parentPid]) {
    while (existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')) await new Promise((r) => setTimeout(r, 50));
  }
}

const api = async <T>(c: Console, p: string): Promise<T> => (await (await fetch(`${c.baseURL}${p}`, { headers: { Cookie: c.cookie } })).json()) as T;
const operationsOf = async (c: Console) => (await api<{ operations: OperationDto[] }>(c, '/api/v1/operations')).operations;

async function startDeploy(c: Console, version: string): Promise<OperationDto> {
  const res = await fetch(`${c.baseURL}/api/v1/deployments`, {
    method: 'POST',
    headers: { Cookie: c.cookie, Origin: c.baseURL, 'Content-Type': 'application/json' },
    // The kill points deploy the two versions by turns, so every other one is a confirmed downgrade.
    // The kill points are the deploy's own; the backup gate is skipped (backup-gate.integration.test.ts).
    body: JSON.stringify({ version, allowDowngrade: true, skipBackup: { reason: 'the backup gate has its own test' } }),
  });
  expect(res.status, await res.clone().text()).toBe(202);
  return (await res.json()) as OperationDto;
}

/** Follows an operation's events until `until` says so (then returns at once) or it ends. */
const follow = (c: Console, id: string, until?: (e: OperationEventDto) => boolean) =>
  followOperation(`${c.baseURL}/api/operations/${id}/events`, { cookie: c.cookie, timeoutMs: 240_000, until });

/** Every platform/rag/crawler container of the project, with its aliases on the project network. */
async function rotatable(): Promise<Array<{ name: string; running: boolean; aliases: string[] }>> {
  const all = await docker.listContainers({ all: true, filters: { label: [`io.tale.console.managed=true`] } });
  const ours = all.filter((c) => [`${deployment.id}-blue`, `${deployment.id}-green`].includes(c.Labels['com.docker.compose.project'] ?? ''));
  return Promise.all(
    ours.map(async (c) => {
      const i = await docker.getContainer(c.Id).inspect();
      return { name: i.Name.replace(/^\//, ''), running: i.State.Running, aliases: i.NetworkSettings.Networks[`${deployment.id}_internal`]?.Aliases ?? [] };
    }),
  );
}

/** After a restart: the killed operation is interrupted, the reconcile ran, one whole colour serves. */
async function expectRecovered(c: Console, killed: string): Promise<{ color: 'blue' | 'green'; reconciled: unknown }> {
  let reconcileOp: OperationDto | undefined;
  const end = Date.now() + 120_000;
  while (Date.now() < end) {
    reconcileOp = (await operationsOf(c)).find((o) => o.kind === 'reconcile' && JSON.stringify(o.params).includes(killed));
    if (reconcileOp && reconcileOp.status !== 'running') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(reconcileOp?.status, `${JSON.stringify(reconcileOp)}\n${c.output().slice(-2000)}`).toBe('succeeded');
  expect(reconcileOp?.params).toEqual({ interrupted: [killed] });

  const op = (await operationsOf(c)).find((o) => o.id === killed)!;
  expect(op.status).toBe('interrupted');
  const { events } = await follow(c, killed);
  expect(events.at(-1)).toMatchObject({ step: 'interrupted', status: 'failed', data: { code: 'INTERRUPTED' } });

  const containers = await rotatable();
  const colors = [...new Set(containers.map((x) => x.name.split('-').at(-1)))];
  expect(colors, JSON.stringify(containers)).toHaveLength(1);
  const color = colors[0] as 'blue' | 'green';
  expect(containers.map((x) => x.name).sort()).toEqual(['crawler', 'platform', 'rag'].map((s) => `${deployment.id}-${s}-${color}`));
  for (const x of containers) {
    expect(x.running).toBe(true);
    expect(x.aliases).toContain(x.name.split('-').at(-2));
  }
  expect(readFileSync(path.join(deployment.dir, '.tale', 'deployment-color'), 'utf8')).toBe(color);
  expect(existsSync(path.join(deployment.dir, '.tale', 'deployment-lock'))).toBe(false);
  const result = reconcileOp?.result as { liveColor?: string; actions?: Array<{ action: string; container?: string }> } | null;
  return { color, reconciled: { live: result?.liveColor, actions: result?.actions?.map((a) => `${a.action} ${a.container ?? ''}`.trim()) } };
}

beforeAll(async () => {
  const bed = await prepareTestBedDeployment(allImageRefs([GOOD_VERSION, NEXT_VERSION, SLOW_VERSION]), { prefix: 'crash-it', extraEnv: { HEALTH_CHECK_TIMEOUT: '150', DRAIN_TIMEOUT: '5' } });
  ({ registry, deployment } = bed);
  proxyUrl = `http://127.0.0.1:${bed.ports.http}/`;
  const first = await startConsole({ deployDir: deployment.dir });
  dataDir = first.dataDir;
  current = { baseURL: first.baseURL, cookie: first.cookie, serverPid: first.pid, parentPid: parentOf(first.pid), output: first.output };
}, 300_000);

afterAll(async () => {
  await traffic?.stop().catch(() => undefined);
  if (current && existsSync(`/proc/${current.parentPid}`)) process.kill(current.parentPid, 'SIGTERM');
  await deployment?.dispose();
  await registry?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

type KillPoint = { name: string; version: string; at: (e: OperationEventDto) => boolean };

const KILL_POINTS: KillPoint[] = [
  { name: 'after the pull', version: NEXT_VERSION, at: (e) => e.step === 'pull' && e.status === 'succeeded' },
  {
    name: 'after the target starts',
    version: NEXT_VERSION,
    at: (e) => e.step === 'start' && e.status === 'progress' && e.data?.started === true && String(e.data.container).includes('-platform-'),
  },
  { name: 'during the health wait', version: SLOW_VERSION, at: (e) => e.step === 'health' && e.status === 'started' },
  { name: 'after the switch', version: NEXT_VERSION, at: (e) => e.step === 'switch' && e.status === 'progress' && typeof e.data?.color === 'string' },
  { name: 'during the retirement', version: GOOD_VERSION, at: (e) => e.step === 'retire' && e.status === 'started' },
];

describe('a console killed with SIGKILL during a deploy', () => {
  it('deploys v1, then survives a kill at each step with 0 failed requests, and deploys again', async () => {
    const first = await startDeploy(current, GOOD_VERSION);
    expect((await follow(current, first.id)).end?.status).toBe('succeeded');
    await waitForUrl(proxyUrl, { host: 'localhost', deadlineMs: 60_000, accept: (r) => r.headers['x-tale-version'] === GOOD_VERSION });
    traffic = startTraffic(proxyUrl, { concurrency: 10, pauseMs: 50 });

    const seen: string[] = [];
    // The operations' events, for the failure printout should a request fail.
    const timeline: TimedEvent[] = [];
    const record = (events: OperationEventDto[]) => timeline.push(...events.map((e) => ({ ...e, at: Date.parse(e.at) }) as TimedEvent));
    for (const point of KILL_POINTS) {
      const t0 = Date.now();
      const op = await startDeploy(current, point.version);
      const { events, end } = await follow(current, op.id, point.at);
      record(events);
      expect(end, `${point.name}: the deploy ended before the kill point`).toBeUndefined();
      expect(events.some(point.at)).toBe(true);
      await kill(current);
      const stateAtKill = readFileSync(path.join(deployment.dir, '.tale', 'deployment-color'), 'utf8');
      current = await restartConsole();
      const { color, reconciled } = await expectRecovered(current, op.id);
      seen.push(`${point.name}: state file ${stateAtKill} at the kill, ${color} after (${Date.now() - t0} ms) ${JSON.stringify(reconciled)}`);
      // The colour the state file named at the kill stays: before the switch it is the old colour,
      // from the switch on the new one (both then serve; the other goes by a graceful stop).
      expect(color, seen.at(-1)).toBe(stateAtKill);
    }
    console.log(`[crash-recovery] after each kill:\n  ${seen.join('\n  ')}`);

    const next = await startDeploy(current, NEXT_VERSION);
    const last = await follow(current, next.id);
    record(last.events);
    expect(last.end?.status).toBe('succeeded');
    const report = await traffic.stop();
    console.log(`[crash-recovery] ${report.requests} requests through the proxy, ${report.failed} failed, by version ${JSON.stringify(report.byVersion)}`);
    const why = await explainFailures(report, timeline, docker, `${deployment.id}-proxy`);
    expect(report.failuresByKind, why).toEqual({});
    expect(report.failed).toBe(0);
    expect(report.requests).toBeGreaterThan(0);
    expect(Object.keys(report.byVersion)).not.toContain(SLOW_VERSION);
  }, 600_000);

  it('rolls back by the recorded digest even after the tag was re-pushed with other bytes', async () => {
    // The console is stopped; the engine runs here directly on the same deployment.
    process.kill(current.parentPid, 'SIGTERM');
    while (existsSync(`/proc/${current.parentPid}`) && !readFileSync(`/proc/${current.parentPid}/stat`, 'utf8').includes(') Z ')) await new Promise((r) => setTimeout(r, 50));
    const recorded = (await readReleases(localDir(deployment.dir))).find((r) => r.version === GOOD_VERSION);
    expect(recorded?.digests.platform).toMatch(/^sha256:/);
    expect(recorded?.actor).toBe(TEST_ADMIN.email);

    // Someone moves the tag: GOOD_VERSION now names the NEXT_VERSION stand-ins' bytes.
    for (const service of ['platform', 'rag', 'crawler'] as const) {
      const target = registryImage(registry.host, service, GOOD_VERSION);
      await dockerCli(['tag', localImage(service, NEXT_VERSION), target]);
      await dockerCli(['push', '-q', target], { timeoutMs: 120_000 });
    }
    const ports = testBedPorts(docker, deployment.dir);
    const result = await rollback(ports, { version: GOOD_VERSION });
    const platform = await createDockerPort(docker).inspectContainer(`${deployment.id}-platform-${result.color}`);
    expect(platform?.digest).toBe(recorded?.digests.platform);
    await waitForUrl(proxyUrl, { host: 'localhost', deadlineMs: 30_000, accept: (r) => r.headers['x-tale-version'] === GOOD_VERSION });
    expect((await readReleases(localDir(deployment.dir)))[0]).toMatchObject({ version: GOOD_VERSION, kind: 'rollback', digests: recorded?.digests });
  }, 300_000);
});
