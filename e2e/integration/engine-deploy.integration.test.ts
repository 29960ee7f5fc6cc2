import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeployment, type Deployment } from '@/e2e/fixtures/deployment';
import { ensureFixtureImages } from '@/e2e/fixtures/fixture-images';
import { httpGet, waitForUrl } from '@/e2e/fixtures/http-get';
import { allImageRefs, forgetLocalImages, pushImages, startRegistry, type Registry } from '@/e2e/fixtures/registry';
import { EXITS_VERSION, GOOD_VERSION, NEVER_HEALTHY_VERSION, NEXT_VERSION } from '@/e2e/fixtures/versions';
import { HealthGateError } from '@/server/engine/engine-error';
import { deploy, rollback } from '@/server/engine/deploy';
import { stackStatus } from '@/server/engine/stack-status';
import {
  readDeploymentColor,
  readPreviousVersion,
  } from '@/server/project/state-files';
import { testBedPorts, type TestBedPorts, type TimedEvent } from '@/server/docker/test-bed-ports';
import { localDir } from '@/server/project/file-ops';

// The engine on the real Docker Engine with the fixture images, a real registry and Tale's Caddy
// proxy: first deploy, upgrade with traffic flowing, a version that exits, rollback. Every Docker
// object belongs to a throwaway project id and is removed by the fixture's dispose().

const docker = new Docker({ socketPath: '/var/run/docker.sock', timeout: 60_000 });


interface Sample {
  at: number;
  version: string | null;
  error: string | null;
}

/** Requests through the proxy back to back until stopped; records who answered. */
function sampleTraffic(url: string): { stop: () => Promise<Sample[]> } {
  const samples: Sample[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const at = Date.now();
      try {
        const r = await httpGet(url, { host: 'localhost', timeoutMs: 10_000 });
        const version = r.headers['x-tale-version'];
        samples.push({ at, version: typeof version === 'string' ? version : null, error: r.status === 200 ? null : `HTTP ${r.status}` });
      } catch (e) {
        samples.push({ at, version: null, error: (e as Error).message });
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return samples;
    },
  };
}

/** Polls the aliases of a colour's containers; records when any of them answers to a shared name. */
function watchSharedAliases(names: string[], network: string): { stop: () => Promise<Array<{ at: number; name: string }>> } {
  const seen: Array<{ at: number; name: string }> = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const name of names) {
        const info = await docker.getContainer(name).inspect().catch(() => null);
        const aliases = info?.NetworkSettings.Networks[network]?.Aliases ?? [];
        if (aliases.some((a: string) => a === 'platform' || a === 'rag' || a === 'crawler')) seen.push({ at: Date.now(), name });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return seen;
    },
  };
}

function report(operation: string, samples: Sample[], newVersion: string): void {
  const versions = [...new Set(samples.map((s) => s.version))];
  const fromNew = samples.filter((s) => s.version === newVersion).map((s) => s.at);
  const fromOld = samples.filter((s) => s.version !== newVersion && s.version !== null).map((s) => s.at);
  const overlapMs = fromNew.length && fromOld.length ? Math.max(0, Math.max(...fromOld) - Math.min(...fromNew)) : 0;
  console.info(JSON.stringify({ operation, requests: samples.length, failed: samples.filter((s) => s.error).length, versions, overlapMs }));
}

describe('engine deploy on the real engine', () => {
  let registry: Registry;
  let deployment: Deployment;
  let ports: TestBedPorts;
  let events: TimedEvent[];
  let proxyUrl: string;

  beforeAll(async () => {
    await ensureFixtureImages();
    registry = await startRegistry();
    await pushImages(registry, allImageRefs([GOOD_VERSION, NEXT_VERSION, EXITS_VERSION, NEVER_HEALTHY_VERSION]));
    // The push left GOOD_VERSION here by digest, and the engine pulls nothing it finds so: the first
    // deploy is to pull every image from the registry.
    await forgetLocalImages(registry, allImageRefs([GOOD_VERSION]));
    deployment = await createDeployment({
      registry: registry.host,
      prefix: 'engine-it',
      extraEnv: { HEALTH_CHECK_TIMEOUT: '150', DRAIN_TIMEOUT: '10' },
    });
    // The engine's ports on this Docker Engine; the proxy publishes on loopback, on ports Docker picks.
    ports = testBedPorts(docker, deployment.dir);
    events = ports.timeline;
  }, 600_000);

  afterAll(async () => {
    await deployment?.dispose();
    await registry?.stop();
  }, 120_000);

  it('first deploy: stateful services and blue, pinned by digest, reachable through the proxy', async () => {
    const result = await deploy(ports, { version: GOOD_VERSION });
    expect(result.color).toBe('blue');

    const id = deployment.id;
    const platform = await docker.getContainer(`${id}-platform-blue`).inspect();
    expect(platform.Config.Image).toMatch(new RegExp(`^${registry.host}/tale-platform:${GOOD_VERSION}@sha256:[0-9a-f]{64}$`));
    expect(platform.Config.Labels).toMatchObject({
      'com.docker.compose.project': `${id}-blue`,
      'com.docker.compose.service': 'platform-blue',
      'io.tale.console.version': GOOD_VERSION,
    });
    expect(platform.NetworkSettings.Networks[`${id}_internal`]?.Aliases).toEqual(expect.arrayContaining(['platform', 'platform-blue']));
    expect((await readDeploymentColor(localDir(deployment.dir))).color).toBe('blue');
    expect(await readPreviousVersion(localDir(deployment.dir))).toBeNull();

    const proxy = await docker.getContainer(`${id}-proxy`).inspect();
    const hostPort = proxy.NetworkSettings.Ports['80/tcp']?.[0]?.HostPort;
    proxyUrl = `http://127.0.0.1:${hostPort}/`;
    const r = await waitForUrl(proxyUrl, { host: 'localhost', deadlineMs: 60_000 });
    expect(r.headers['x-tale-version']).toBe(GOOD_VERSION);

    // Every image pulled, each reporting progress from the daemon.
    const pulled = new Set(events.filter((e) => e.step === 'pull' && e.data?.status === 'pulled').map((e) => e.data?.image));
    expect(pulled.size).toBe(6);
    const daemonProgress = events.filter((e) => e.step === 'pull' && e.status === 'progress' && e.data?.status !== 'pulling' && e.data?.status !== 'pulled');
    expect(daemonProgress.length).toBeGreaterThanOrEqual(6);
  }, 300_000);

  it('upgrade under traffic: no failed request, nothing from the new version before the switch, only it after', async () => {
    const traffic = sampleTraffic(proxyUrl);
    const green = ['platform', 'rag', 'crawler'].map((s) => `${deployment.id}-${s}-green`);
    const aliases = watchSharedAliases(green, `${deployment.id}_internal`);
    await new Promise((r) => setTimeout(r, 1000));
    const firstEvent = events.length;
    const result = await deploy(ports, { version: NEXT_VERSION });
    const done = Date.now();
    await new Promise((r) => setTimeout(r, 2000));
    const samples = await traffic.stop();
    const sharedSeen = await aliases.stop();
    report('upgrade', samples, result.plan.version);

    expect(result.color).toBe('green');
    const switchAt = events.slice(firstEvent).find((e) => e.step === 'switch' && e.status === 'started')?.at ?? 0;
    expect(switchAt).toBeGreaterThan(0);
    // The candidate answered to a shared name only from the switch on.
    expect(sharedSeen.length).toBeGreaterThan(0);
    expect(sharedSeen.filter((x) => x.at < switchAt)).toEqual([]);
    expect(samples.filter((s) => s.error)).toEqual([]);
    expect(samples.filter((s) => s.version === NEXT_VERSION && s.at < switchAt)).toEqual([]);
    expect(samples.filter((s) => s.at > done).every((s) => s.version === NEXT_VERSION)).toBe(true);
    expect(samples.some((s) => s.version === GOOD_VERSION)).toBe(true);

    expect((await readDeploymentColor(localDir(deployment.dir))).color).toBe('green');
    expect(await readPreviousVersion(localDir(deployment.dir))).toBe(GOOD_VERSION);
    const blue = await docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${deployment.id}-blue`] } });
    expect(blue).toEqual([]);
  }, 300_000);

  it('a version that exits fails fast with its logs, is removed, and the live colour keeps serving', async () => {
    const traffic = sampleTraffic(proxyUrl);
    const started = Date.now();
    const error = await deploy(ports, { version: EXITS_VERSION }).then(
      () => null,
      (e: unknown) => e,
    );
    const samples = await traffic.stop();
    report('failed deploy', samples, EXITS_VERSION);

    expect(error).toBeInstanceOf(HealthGateError);
    const gate = error as HealthGateError;
    expect(['CONTAINER_EXITED', 'CONTAINER_RESTARTED']).toContain(gate.code);
    expect(gate.logs.length).toBeGreaterThan(0);
    expect(gate.logs.length).toBeLessThanOrEqual(50);
    // Fails fast: the exit ends the gate, it does not wait out HEALTH_CHECK_TIMEOUT (150 s).
    expect(Date.now() - started).toBeLessThan(150_000);

    const blue = await docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${deployment.id}-blue`] } });
    expect(blue).toEqual([]);
    expect(samples.filter((s) => s.error)).toEqual([]);
    expect(samples.every((s) => s.version === NEXT_VERSION)).toBe(true);
    expect((await readDeploymentColor(localDir(deployment.dir))).color).toBe('green');
    expect(await readPreviousVersion(localDir(deployment.dir))).toBe(GOOD_VERSION);
  }, 300_000);

  it('a never-healthy version that answers / with 200 is never reached, and removed when Docker calls it unhealthy', async () => {
    const traffic = sampleTraffic(proxyUrl);
    const target = ['platform', 'rag', 'crawler'].map((s) => `${deployment.id}-${s}-blue`);
    const aliases = watchSharedAliases(target, `${deployment.id}_internal`);
    const error = await deploy(ports, { version: NEVER_HEALTHY_VERSION }).then(
      () => null,
      (e: unknown) => e,
    );
    // Keep watching after the failure: the CLI's broken colour took the site down later, not at once.
    await new Promise((r) => setTimeout(r, 10_000));
    const samples = await traffic.stop();
    const sharedSeen = await aliases.stop();
    report('never-healthy deploy', samples, NEVER_HEALTHY_VERSION);
    expect(sharedSeen).toEqual([]);

    expect(error).toBeInstanceOf(HealthGateError);
    expect((error as HealthGateError).code).toBe('CONTAINER_UNHEALTHY');
    expect(samples.filter((s) => s.error)).toEqual([]);
    expect(samples.filter((s) => s.version === NEVER_HEALTHY_VERSION)).toEqual([]);
    const blue = await docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${deployment.id}-blue`] } });
    expect(blue).toEqual([]);
    expect(await readPreviousVersion(localDir(deployment.dir))).toBe(GOOD_VERSION);
  }, 300_000);

  it('dry run changes no container', async () => {
    const snapshot = async () =>
      JSON.stringify(
        (await docker.listContainers({ all: true, filters: { name: [deployment.id] } }))
          .map((c) => [c.Names[0], c.Id, c.State, c.Created, c.Image])
          .sort(),
      );
    const before = await snapshot();
    const { planDeploy } = await import('@/server/engine/deploy-plan');
    const plan = await planDeploy(ports, { version: GOOD_VERSION });
    expect(plan.targetColor).toBe('blue');
    expect(plan.steps.map((s) => s.action)).toContain('switch');
    expect(await snapshot()).toBe(before);
    expect((await readDeploymentColor(localDir(deployment.dir))).color).toBe('green');
  }, 60_000);

  it('rollback returns to the previous version on the other colour', async () => {
    const traffic = sampleTraffic(proxyUrl);
    const result = await rollback(ports);
    await new Promise((r) => setTimeout(r, 1000));
    const samples = await traffic.stop();
    report('rollback', samples, GOOD_VERSION);
    expect(samples.filter((s) => s.error)).toEqual([]);
    expect(result).toMatchObject({ version: GOOD_VERSION, color: 'blue', previousVersion: NEXT_VERSION });
    const r = await waitForUrl(proxyUrl, { host: 'localhost', accept: (x) => x.headers['x-tale-version'] === GOOD_VERSION, deadlineMs: 30_000 });
    expect(r.status).toBe(200);

    const status = await stackStatus(ports.docker, ports.project);
    expect(status.activeColor).toBe('blue');
    const platform = status.containers.find((c) => c.name === `${deployment.id}-platform-blue`);
    expect(platform).toMatchObject({ status: 'healthy', version: GOOD_VERSION, restartCount: 0, active: true });
    expect(platform?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(status.containers.find((c) => c.name === `${deployment.id}-platform-green`)?.exists).toBe(false);
  }, 300_000);
});
