// The engine driving a Tale stack on another host (#21): a second Docker Engine behind a real
// OpenSSH server (e2e/fixtures/remote-host.ts), reached only through the SSH endpoint
// (server/remote): Docker over SSH with the pinned host key, the deployment directory over SFTP.
// First deploy, an upgrade under load, a rollback: the same engine code as on this host, with the
// environment's ports. The stack's images come from the test registry on loopback, which the
// second engine pulls from itself.
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeployment, type Deployment } from '@/e2e/fixtures/deployment';
import { ensureFixtureImages } from '@/e2e/fixtures/fixture-images';
import { waitForUrl } from '@/e2e/fixtures/http-get';
import { allImageRefs, pushImages, startRegistry, type Registry } from '@/e2e/fixtures/registry';
import { startRemoteHost, type RemoteHost } from '@/e2e/fixtures/remote-host';
import { runCommand } from '@/e2e/fixtures/run-command';
import { GOOD_VERSION, NEXT_VERSION } from '@/e2e/fixtures/versions';
import { deploy, rollback } from '@/server/engine/deploy';
import type { EnginePorts } from '@/server/engine/ports';
import { createDockerPort } from '@/server/docker/docker-adapter';
import { loopbackPorts, proxyUrlOf, realClock, testBedRegistryPort, type TimedEvent } from '@/server/docker/test-bed-ports';
import { explainFailures } from '@/server/docker/test-bed-failures';
import { startTraffic } from '@/server/docker/test-bed-traffic';
import { createProjectPort } from '@/server/project/project-port';
import { readDeploymentColor, readPreviousVersion } from '@/server/project/state-files';
import { openSshEndpoint, type RemoteEndpoint } from '@/server/remote/ssh-endpoint';

let host: RemoteHost;
let registry: Registry;
let deployment: Deployment;
let endpoint: RemoteEndpoint;
let ports: EnginePorts;
let remoteDocker: Docker;
let url = '';
const events: TimedEvent[] = [];

beforeAll(async () => {
  // One after the other: a second engine started beside a set-up that then failed would be left
  // running (afterAll only disposes what was assigned).
  await ensureFixtureImages();
  registry = await startRegistry();
  host = await startRemoteHost({ id: 'rdep' });
  await pushImages(registry, allImageRefs([GOOD_VERSION, NEXT_VERSION]));
  deployment = await createDeployment({ registry: registry.host, prefix: 'rm-deploy', extraEnv: { HEALTH_CHECK_TIMEOUT: '150', DRAIN_TIMEOUT: '5' } });
  // The remote host's directory: owned by its ssh user, as `tale init` run there would leave it.
  await runCommand('chown', ['-R', `${host.ssh.user}:${host.ssh.user}`, deployment.dir]);
  const t0 = Date.now();
  endpoint = await openSshEndpoint(host.ssh, { privateKey: host.privateKey, hostKeyFingerprint: await host.hostKeyFingerprint(), deployDir: deployment.dir });
  console.log(`remote deploy: endpoint open in ${Date.now() - t0} ms`);
  ports = {
    docker: loopbackPorts(createDockerPort(endpoint.docker.api)),
    registry: testBedRegistryPort,
    project: createProjectPort(endpoint.project, (holder) => holder.pid === process.pid),
    clock: realClock,
    events: { emit: (e) => void events.push({ ...e, at: Date.now() }) },
  };
  // The test's own look at the second engine, beside the console's SSH path.
  remoteDocker = new Docker({ socketPath: host.dockerHost.replace(/^unix:\/\//, ''), timeout: 30_000 });
}, 600_000);

afterAll(async () => {
  await endpoint?.close();
  await host?.dispose(); // the second engine's containers, networks and volumes go with it
  await deployment?.dispose();
  await registry?.stop();
}, 180_000);

const onRemote = async () => (await remoteDocker.listContainers({ all: true, filters: { label: [`com.docker.compose.project.working_dir=${deployment.dir}`] } })).length;

describe('deploying on a remote environment over SSH', () => {
  it('first deploy: the stack runs on the second engine only, state files written over SFTP', async () => {
    const t0 = Date.now();
    const result = await deploy(ports, { version: GOOD_VERSION });
    console.log(`remote deploy: first deploy of ${GOOD_VERSION} in ${Date.now() - t0} ms`);
    expect(result.color).toBe('blue');
    const platform = await remoteDocker.getContainer(`${deployment.id}-platform-blue`).inspect();
    expect(platform.Config.Image).toMatch(new RegExp(`^${registry.host}/tale-platform:${GOOD_VERSION}@sha256:[0-9a-f]{64}$`));
    // Nothing of this project on the console's own engine.
    const local = new Docker({ socketPath: '/var/run/docker.sock' });
    expect(await local.listContainers({ all: true, filters: { name: [deployment.id] } })).toEqual([]);
    expect(await onRemote()).toBeGreaterThan(0);
    expect((await readDeploymentColor(endpoint.project)).color).toBe('blue');
    url = await proxyUrlOf(remoteDocker, deployment.id);
    const r = await waitForUrl(url, { host: 'localhost', deadlineMs: 60_000 });
    expect(r.headers['x-tale-version']).toBe(GOOD_VERSION);
  }, 600_000);

  it('upgrade under load: no failed request, the new version answers after', async () => {
    // The pace of engine-resilience's load (a few hundred requests a second): CI runs this file
    // beside other zero-failure tests, whose proxies a faster pace here would starve of CPU.
    const traffic = startTraffic(url, { concurrency: 10, pauseMs: 50 });
    await new Promise((r) => setTimeout(r, 1000));
    const firstEvent = events.length;
    const t0 = Date.now();
    const result = await deploy(ports, { version: NEXT_VERSION });
    const ms = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 1000));
    const report = await traffic.stop();
    console.log(`remote deploy: upgrade to ${NEXT_VERSION} in ${ms} ms; ${report.requests} requests, ${report.failed} failed, by version ${JSON.stringify(report.byVersion)}`);
    expect(result.color).toBe('green');
    expect(report.failed, await explainFailures(report, events.slice(firstEvent), remoteDocker, `${deployment.id}-proxy`)).toBe(0);
    expect(report.byVersion[NEXT_VERSION]).toBeGreaterThan(0);
    expect(await readPreviousVersion(endpoint.project)).toBe(GOOD_VERSION);
  }, 600_000);

  it('rollback: the previous version answers again, the release records kept on the remote host', async () => {
    const result = await rollback(ports, {});
    expect(result.plan.version).toBe(GOOD_VERSION);
    const r = await waitForUrl(url, { host: 'localhost', deadlineMs: 60_000, accept: (res) => res.headers['x-tale-version'] === GOOD_VERSION });
    expect(r.headers['x-tale-version']).toBe(GOOD_VERSION);
    const records = await ports.project.readReleases();
    expect(records.map((x) => x.version).slice(0, 3)).toEqual([GOOD_VERSION, NEXT_VERSION, GOOD_VERSION]);
    expect(path.dirname(ports.project.dir)).toBe(path.dirname(deployment.dir));
  }, 600_000);
});
