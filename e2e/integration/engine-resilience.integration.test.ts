import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeployment, type Deployment } from '@/e2e/fixtures/deployment';
import { ensureFixtureImages } from '@/e2e/fixtures/fixture-images';
import { waitForUrl } from '@/e2e/fixtures/http-get';
import { allImageRefs, pushImages, startRegistry, type Registry } from '@/e2e/fixtures/registry';
import { EXITS_VERSION, GOOD_VERSION, NEVER_HEALTHY_VERSION, NEXT_VERSION } from '@/e2e/fixtures/versions';
import { deploy } from '@/server/engine/deploy';
import { HealthGateError } from '@/server/engine/engine-error';
import { reset } from '@/server/engine/reset';
import { readDeploymentColor, readPreviousVersion } from '@/server/project/state-files';
import { proxyUrlOf, testBedDocker, testBedPorts, type TestBedPorts } from '@/server/docker/test-bed-ports';
import { explainFailures } from '@/server/docker/test-bed-failures';
import { startTraffic, type TrafficReport } from '@/server/docker/test-bed-traffic';
import { localDir } from '@/server/project/file-ops';

// The engine's promises where the CLI broke them, on the real engine through Tale's Caddy with
// the load generator running: a lost or corrupt state file, the minutes after a failed deploy,
// reset and in-place update. Two throwaway project ids, so this file runs beside other tests;
// dispose() removes exactly their containers, network and volumes.
//   RESILIENCE_WATCH_SECONDS  how long to watch after a failed deploy (default 180, as the issue
//                             asks: the CLI's outages after a failed deploy came late)
//   RESILIENCE_CONCURRENCY    load generator clients (default 10, the pace of every other
//                             zero-failure test; 20 clients failed twice in CI with exactly one
//                             failed request per client, an outage of 5 to 10 s while the old
//                             platform drained, never reproduced here: see the stop notes)
//   RESILIENCE_PAUSE_MS       each client's pause between requests (default 50: about 170
//                             requests a second, as measured in docs/architecture.md#the-blue-green-switch-and-why, without
//                             starving the proxy's health checks on a shared 2-core CI machine;
//                             bench/cutover.ts runs flat out)

const WATCH_MS = Number(process.env.RESILIENCE_WATCH_SECONDS ?? 180) * 1000;
const CONCURRENCY = Number(process.env.RESILIENCE_CONCURRENCY ?? 10);
const LOAD = { concurrency: CONCURRENCY, pauseMs: Number(process.env.RESILIENCE_PAUSE_MS ?? 50) };
const docker = testBedDocker();

interface Bed {
  deployment: Deployment;
  ports: TestBedPorts;
  url: string;
}

async function bed(registry: Registry, prefix: string): Promise<Bed> {
  const deployment = await createDeployment({
    registry: registry.host,
    prefix,
    extraEnv: { HEALTH_CHECK_TIMEOUT: '150', DRAIN_TIMEOUT: '10' },
  });
  const ports = testBedPorts(docker, deployment.dir);
  await deploy(ports, { version: GOOD_VERSION });
  const url = await proxyUrlOf(docker, deployment.id);
  await waitForUrl(url, { host: 'localhost', deadlineMs: 60_000, accept: (r) => r.headers['x-tale-version'] === GOOD_VERSION });
  return { deployment, ports, url };
}

const idsOf = async (names: string[]): Promise<Record<string, string | null>> =>
  Object.fromEntries(await Promise.all(names.map(async (n) => [n, (await docker.getContainer(n).inspect().catch(() => null))?.Id ?? null] as const)));

/** Polls the live colour's containers; records the first moment any of them stopped or vanished. */
function watchLive(names: string[]): { stop: () => Promise<number | null> } {
  let firstGone: number | null = null;
  let running = true;
  const loop = (async () => {
    while (running && firstGone === null) {
      const states = await Promise.all(names.map((n) => docker.getContainer(n).inspect().catch(() => null)));
      if (states.some((s) => !s?.State.Running)) firstGone = Date.now();
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return firstGone;
    },
  };
}

function failures(report: TrafficReport): Record<string, number> {
  return report.failuresByKind;
}

/** A deploy with a lost or corrupt state file, under load: still blue-green, nothing dropped. */
async function blueGreenDespiteStateFile(b: Bed, from: { color: 'blue' | 'green'; version: string }, to: string): Promise<void> {
  const { deployment, ports, url } = b;
  const live = ['platform', 'rag', 'crawler'].map((s) => `${deployment.id}-${s}-${from.color}`);
  const traffic = startTraffic(url, LOAD);
  const watcher = watchLive(live);
  await new Promise((r) => setTimeout(r, 1000));
  const firstEvent = ports.timeline.length;
  const result = await deploy(ports, { version: to });
  const doneAt = Date.now();
  await new Promise((r) => setTimeout(r, 2000));
  const report = await traffic.stop();
  const liveGoneAt = await watcher.stop();
  const events = ports.timeline.slice(firstEvent);

  const target = from.color === 'blue' ? 'green' : 'blue';
  expect(result.plan.activeColor).toBe(from.color);
  expect(result.plan.activeSource).toBe('docker');
  expect(result.color).toBe(target);
  // The plan never removes a live container before the switch; it retires them after it.
  const switchAt = events.find((e) => e.step === 'switch' && e.status === 'started')?.at;
  expect(switchAt).toBeDefined();
  expect(liveGoneAt).not.toBeNull();
  expect(liveGoneAt as number).toBeGreaterThan(switchAt as number);
  const removedBeforeSwitch = result.plan.steps.filter((s) => s.phase !== 'retire' && 'container' in s && live.includes(s.container));
  expect(removedBeforeSwitch).toEqual([]);

  const why = await explainFailures(report, events, docker, `${deployment.id}-proxy`);
  expect(failures(report), why).toEqual({});
  expect(report.failed).toBe(0);
  expect(report.byVersion[from.version] ?? 0).toBeGreaterThan(0);
  expect(report.samples.filter((s) => s.sentAt > doneAt).every((s) => s.version === to)).toBe(true);
  expect((await readDeploymentColor(localDir(deployment.dir))).color).toBe(target);
  expect(await readPreviousVersion(localDir(deployment.dir))).toBe(from.version);
  expect(await idsOf(live)).toEqual(Object.fromEntries(live.map((n) => [n, null])));
}

describe('engine resilience on the real engine, under load', () => {
  let registry: Registry;
  let main: Bed;
  let ops: Bed;

  beforeAll(async () => {
    await ensureFixtureImages();
    registry = await startRegistry();
    await pushImages(registry, allImageRefs([GOOD_VERSION, NEXT_VERSION, NEVER_HEALTHY_VERSION, EXITS_VERSION]));
    // Both stacks' first deploys at once: most of it is waiting for the db health check.
    [main, ops] = await Promise.all([bed(registry, 'resilience-it'), bed(registry, 'resilience-ops')]);
  }, 300_000);

  afterAll(async () => {
    await Promise.all([main?.deployment.dispose(), ops?.deployment.dispose()]);
    await registry?.stop();
  }, 120_000);

  it('state file deleted while v1 serves: the next deploy is still blue-green with 0 failed requests', async () => {
    await rm(path.join(main.deployment.dir, '.tale', 'deployment-color'));
    expect((await readDeploymentColor(localDir(main.deployment.dir))).color).toBeNull();
    await blueGreenDespiteStateFile(main, { color: 'blue', version: GOOD_VERSION }, NEXT_VERSION);
  }, 180_000);

  it('state file corrupted while the live version serves: the next deploy is still blue-green with 0 failed requests', async () => {
    await writeFile(path.join(main.deployment.dir, '.tale', 'deployment-color'), 'purple\n{"not": "a colour"}');
    expect(await readDeploymentColor(localDir(main.deployment.dir))).toEqual({ color: null, invalid: true });
    await blueGreenDespiteStateFile(main, { color: 'green', version: NEXT_VERSION }, GOOD_VERSION);
  }, 180_000);

  it(`after a never-healthy and an exiting deploy fail: 0 failed requests and nothing from either for ${WATCH_MS / 1000} s`, async () => {
    const { deployment, ports, url } = main;
    // Whatever the earlier tests left live (they may be filtered out): it must stay exactly so.
    const liveColor = (await readDeploymentColor(localDir(deployment.dir))).color;
    if (liveColor === null) throw new Error('no live colour to protect');
    const liveVersion = (await docker.getContainer(`${deployment.id}-platform-${liveColor}`).inspect()).Config.Labels['io.tale.console.version'];
    const previous = await readPreviousVersion(localDir(deployment.dir));
    const live = ['platform', 'rag', 'crawler'].map((s) => `${deployment.id}-${s}-${liveColor}`);
    const liveIds = await idsOf(live);
    const trafficStart = Date.now();
    const traffic = startTraffic(url, LOAD);
    const broken = [NEVER_HEALTHY_VERSION, EXITS_VERSION];
    const errors: unknown[] = [];
    for (const version of broken) errors.push(await deploy(ports, { version }).then(() => null, (e: unknown) => e));
    const failedAt = Date.now();
    await new Promise((r) => setTimeout(r, WATCH_MS));
    const report = await traffic.stop();
    const after = report.load.timeline.filter((s) => s.second > Math.floor((failedAt - trafficStart) / 1000));
    console.info(JSON.stringify({ test: 'failed deploys watch', watchMs: WATCH_MS, requests: report.requests, failed: report.failed, byVersion: report.byVersion }));

    const why = await explainFailures(report, ports.timeline, docker, `${deployment.id}-proxy`);
    for (const error of errors) {
      expect(error).toBeInstanceOf(HealthGateError);
      expect((error as HealthGateError).logs.length).toBeGreaterThan(0);
    }
    expect(report.failed, why).toBe(0);
    for (const version of broken) expect(report.byVersion[version]).toBeUndefined();
    // The watch really ran, with traffic answered in every second of it (no silent stall).
    expect(after.length).toBeGreaterThanOrEqual(Math.floor(WATCH_MS / 1000) - 1);
    expect(after.filter((s) => s.ok === 0)).toEqual([]);
    expect(report.samples.filter((s) => s.sentAt > failedAt).every((s) => s.version === liveVersion)).toBe(true);
    // The live colour untouched, the failed one gone, the rollback target unchanged.
    expect(await idsOf(live)).toEqual(liveIds);
    const failedColor = liveColor === 'blue' ? 'green' : 'blue';
    const leftovers = await docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${deployment.id}-${failedColor}`] } });
    expect(leftovers).toEqual([]);
    expect((await readDeploymentColor(localDir(deployment.dir))).color).toBe(liveColor);
    expect(await readPreviousVersion(localDir(deployment.dir))).toBe(previous);
  }, WATCH_MS + 240_000);

  it('in-place update of platform: no colour switch, others untouched, 0 failed requests', async () => {
    const { deployment, ports, url } = ops;
    const id = deployment.id;
    const untouched = [`${id}-rag-blue`, `${id}-crawler-blue`, `${id}-db`, `${id}-proxy`, `${id}-convex`];
    const before = await idsOf([...untouched, `${id}-platform-blue`]);
    const traffic = startTraffic(url, LOAD);
    await new Promise((r) => setTimeout(r, 1000));
    const firstEvent = ports.timeline.length;
    const result = await deploy(ports, { version: NEXT_VERSION, services: ['platform'] });
    const doneAt = Date.now();
    await new Promise((r) => setTimeout(r, 2000));
    const report = await traffic.stop();
    const switchAt = ports.timeline.slice(firstEvent).find((e) => e.step === 'switch' && e.status === 'started')?.at ?? 0;

    expect(result).toMatchObject({ color: 'blue', version: NEXT_VERSION, previousVersion: GOOD_VERSION });
    expect(result.plan.kind).toBe('update');
    expect(await idsOf(untouched)).toEqual(Object.fromEntries(untouched.map((n) => [n, before[n]])));
    const platform = await docker.getContainer(`${id}-platform-blue`).inspect();
    expect(platform.Id).not.toBe(before[`${id}-platform-blue`]);
    expect(platform.Config.Labels['io.tale.console.version']).toBe(NEXT_VERSION);
    expect(platform.NetworkSettings.Networks[`${id}_internal`]?.Aliases).toEqual(expect.arrayContaining(['platform', 'platform-blue']));
    const green = await docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${id}-green`] } });
    expect(green).toEqual([]);
    const leftovers = await docker.listContainers({ all: true, filters: { name: [`${id}-platform-blue-next`] } });
    expect(leftovers).toEqual([]);

    const why = await explainFailures(report, ports.timeline.slice(firstEvent), docker, `${id}-proxy`);
    expect(report.failed, why).toBe(0);
    expect(report.byVersion[NEXT_VERSION] ?? 0).toBeGreaterThan(0);
    expect(report.samples.filter((s) => s.version === NEXT_VERSION && s.at < switchAt)).toEqual([]);
    expect(report.samples.filter((s) => s.sentAt > doneAt).every((s) => s.version === NEXT_VERSION)).toBe(true);
    expect((await readDeploymentColor(localDir(deployment.dir))).color).toBe('blue');
    expect(await readPreviousVersion(localDir(deployment.dir))).toBe(GOOD_VERSION);
  }, 180_000);

  it('reset removes the colours and keeps db, proxy, convex; reset all with volumes removes everything', async () => {
    const { deployment, ports } = ops;
    const id = deployment.id;
    const stateful = [`${id}-db`, `${id}-proxy`, `${id}-convex`];
    const statefulIds = await idsOf(stateful);

    const first = await reset(ports);
    expect(first.removed.sort()).toEqual([`${id}-crawler-blue`, `${id}-platform-blue`, `${id}-rag-blue`]);
    const colours = await docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${id}-blue`] } });
    expect(colours).toEqual([]);
    expect(await idsOf(stateful)).toEqual(statefulIds);
    expect(await readDeploymentColor(localDir(deployment.dir))).toEqual({ color: null, invalid: false });
    expect(await readPreviousVersion(localDir(deployment.dir))).toBeNull();
    const volumesBefore = (await docker.listVolumes({ filters: { label: [`project=${id}`] } })).Volumes ?? [];
    expect(volumesBefore.length).toBeGreaterThan(0);

    const second = await reset(ports, { all: true, volumes: true });
    expect(second.removed.sort()).toEqual([...stateful].sort());
    expect(second.networkRemoved).toBe(true);
    expect(await docker.listContainers({ all: true, filters: { name: [id] } })).toEqual([]);
    expect((await docker.listVolumes({ filters: { label: [`project=${id}`] } })).Volumes ?? []).toEqual([]);
    expect(await docker.listNetworks({ filters: { name: [`${id}_internal`] } })).toEqual([]);
  }, 180_000);
});
