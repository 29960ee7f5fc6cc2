import { chownSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationDto } from '@/lib/dto/operations';
import { createDeployment, type Deployment } from '../fixtures/deployment';
import { ensureFixtureImages } from '../fixtures/fixture-images';
import { freeLoopbackPort } from '../fixtures/free-port';
import { httpGet, waitForUrl } from '../fixtures/http-get';
import { pollUntil } from '../fixtures/poll';
import { pushImages, startRegistry, type Registry } from '../fixtures/registry';
import { docker as dockerCli } from '../fixtures/run-command';
import { GOOD_VERSION, NEXT_VERSION, SERVICES, SLOW_VERSION } from '../fixtures/versions';
import { consoleCreateBody, namedVolumes, readConsoleService } from '../support/compose-console';
import { ensureConsoleImage, IMAGE_LABELS } from '../support/console-image';
import { signIn, TEST_ADMIN } from '../support/console';
import { publishProxyOnLoopback } from '../support/loopback-proxy';
import { projectRoot } from '../support/paths';
import { actionIds, callAction } from '../support/server-actions';

// The console as operators run it: the repository's Dockerfile built offline, started as
// docker-compose.yml describes (socket, deployment directory, data volume), first run completed
// with the token from the container's logs, and the stand-in stack deployed from inside it.
// Test-only differences from the compose file: host networking (the test registry listens on
// loopback only), the port, and the stack proxy's ports (loopback, via compose.override.yml).

const api = new Docker({ socketPath: '/var/run/docker.sock' });
// An operator's `tale init` directory belongs to them, not to root.
const OPERATOR = { uid: 1000, gid: 1000 };

let registry: Registry;
let deployment: Deployment;
let project: string;
let container: Docker.Container;
let baseURL: string;
let proxyURL: string;
let cookie: string;

async function logs(): Promise<string> {
  const raw = (await container.logs({ stdout: true, stderr: true, tail: 400 })) as unknown as Buffer;
  // Without a TTY every frame has an 8-byte header; dropping the headers keeps the text readable.
  const text: string[] = [];
  for (let i = 0; i + 8 <= raw.length; ) {
    const size = raw.readUInt32BE(i + 4);
    text.push(raw.subarray(i + 8, i + 8 + size).toString('utf8'));
    i += 8 + size;
  }
  return text.join('');
}

async function waitForReady(): Promise<void> {
  await pollUntil(() => fetch(`${baseURL}/api/health/ready`).then((r) => r.ok, () => false), Boolean, 120_000, 500).catch(async (e: unknown) => {
    throw new Error(`console not ready: ${String(e)}\n${(await logs()).slice(-3000)}`);
  });
}

async function getOperation(id: string): Promise<OperationDto> {
  const res = await fetch(`${baseURL}/api/v1/operations/${id}`, { headers: { Cookie: cookie } });
  if (!res.ok) throw new Error(`GET operation ${id}: HTTP ${res.status}`);
  return (await res.json()) as OperationDto;
}

/** The reconcile operation the console's start ran after `since`, once it has finished. */
async function reconcileAfter(since: string): Promise<OperationDto> {
  const list = async () => {
    const res = await fetch(`${baseURL}/api/v1/operations`, { headers: { Cookie: cookie } });
    const { operations } = (await res.json()) as { operations: OperationDto[] };
    return operations.find((o) => o.kind === 'reconcile' && o.createdAt > since && o.status !== 'running');
  };
  return (await pollUntil(list, Boolean, 180_000, 1000))!;
}

async function deploy(version: string): Promise<OperationDto> {
  const res = await fetch(`${baseURL}/api/v1/deployments`, {
    method: 'POST',
    headers: { Cookie: cookie, Origin: baseURL, 'Content-Type': 'application/json' },
    // Upgrades here are not about the backup gate (backup-gate.integration.test.ts): skipped with a reason.
    body: JSON.stringify({ version, skipBackup: { reason: 'the backup gate has its own test' } }),
  });
  expect(res.status, await res.clone().text()).toBe(202);
  return (await res.json()) as OperationDto;
}

async function finished(id: string): Promise<OperationDto> {
  const t0 = Date.now();
  const op = await pollUntil(() => getOperation(id), (o) => o.status !== 'running', 420_000, 1000);
  console.log(`[container-image] ${op.kind} ${id} ${op.status} after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return op;
}

/** The stand-in's answer through the stack's proxy, as a visitor gets it. */
const siteVersion = async () => {
  const r = await httpGet(`${proxyURL}/`, { host: 'localhost' });
  return r.status === 200 ? (r.headers['x-tale-version'] as string | undefined) ?? null : null;
};

beforeAll(async () => {
  const t0 = Date.now();
  await ensureFixtureImages();
  const image = await ensureConsoleImage((l) => console.log(`[container-image] ${l}`));
  console.log(`[container-image] console image ${image.image}: ${(image.sizeBytes / 1e6).toFixed(1)} MB (${image.built ? 'built' : 'cached'}, ${((Date.now() - t0) / 1000).toFixed(0)} s)`);

  registry = await startRegistry();
  await pushImages(registry, [GOOD_VERSION, SLOW_VERSION, NEXT_VERSION].flatMap((version) => SERVICES.map((service) => ({ service, version }))));
  deployment = await createDeployment({ prefix: 'image-it', registry: registry.host, extraEnv: { HEALTH_CHECK_TIMEOUT: '300', DRAIN_TIMEOUT: '3' } });
  const { http: httpPort } = await publishProxyOnLoopback(deployment.dir);
  const consolePort = await freeLoopbackPort();
  proxyURL = `http://127.0.0.1:${httpPort}`;
  chownTree(deployment.dir, OPERATOR.uid, OPERATOR.gid);

  project = deployment.id;
  baseURL = `http://127.0.0.1:${consolePort}`;
  const service = readConsoleService(path.join(projectRoot, 'docker-compose.yml'), {
    TALE_DIR: deployment.dir,
    CONSOLE_IMAGE: image.image,
    PUBLIC_URL: baseURL,
  });
  for (const volume of namedVolumes(service, { project })) await api.createVolume(volume);
  container = await api.createContainer(
    consoleCreateBody(service, { project, hostNetwork: true, env: { PORT: String(consolePort), HOSTNAME: '127.0.0.1' } }),
  );
  await container.start();
  await waitForReady();
}, 900_000);

afterAll(async () => {
  if (container) {
    if (process.env.KEEP_CONSOLE_LOGS) console.log(await logs());
    await container.remove({ force: true }).catch(() => {});
  }
  await deployment?.dispose();
  if (project) await dockerCli(['volume', 'rm', `${project}_console-data`], { allowFailure: true });
  await registry?.stop();
});

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(p, uid, gid);
    else chownSync(p, uid, gid);
  }
}

describe('the console container', () => {
  it('runs unprivileged with the Docker socket group, labelled, and prints the setup token', async () => {
    const info = await container.inspect();
    // pid: host, so the container's process is visible here under its host pid.
    const status = readFileSync(`/proc/${info.State.Pid}/status`, 'utf8');
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
    const groups = (/^Groups:\s*(.*)$/m.exec(status)?.[1] ?? '').trim().split(/\s+/).map(Number);
    expect(uid).toBe(OPERATOR.uid);
    expect(groups).toContain(statSync('/var/run/docker.sock').gid);

    const labels = info.Config.Labels;
    expect(labels['org.opencontainers.image.version']).toBe(IMAGE_LABELS.version);
    expect(labels['org.opencontainers.image.revision']).toBe(IMAGE_LABELS.revision);
    expect(labels['org.opencontainers.image.source']).toBe(IMAGE_LABELS.source);
    expect(info.Config.Healthcheck?.Test?.join(' ')).toContain('/api/health/ready');
    // Nothing of this build machine's environment or data made it into the image.
    expect(info.Config.Env.filter((e) => /SECRET|TOKEN|PASSWORD/.test(e))).toEqual([]);

    const token = /one-time setup token:\s+(\S+)/.exec(await logs())?.[1];
    expect(token).toBeTruthy();
    const setupId = actionIds().get('app/(auth)/setup/actions.ts#setupAction');
    if (!setupId) throw new Error('setup action missing from the build');
    const result = await callAction(baseURL, setupId, [{ token, ...TEST_ADMIN, confirm: TEST_ADMIN.password }]);
    expect(result).toContain('"ok":true');
    cookie = (await signIn(baseURL, TEST_ADMIN.email, TEST_ADMIN.password)) ?? '';
    expect(cookie).toContain('session-token');
  });

  it('deploys the stand-in stack from inside the container, served through the proxy', async () => {
    const op = await deploy(GOOD_VERSION);
    const end = await finished(op.id);
    expect(end.status, JSON.stringify(end.error)).toBe('succeeded');
    await waitForUrl(`${proxyURL}/`, { host: 'localhost', accept: (r) => r.status === 200 && r.headers['x-tale-version'] === GOOD_VERSION });

    // The console sees the deployment at /deploy; the containers it made record the host's path.
    const proxy = await api.getContainer(`${deployment.id}-proxy`).inspect();
    expect(proxy.Config.Labels['com.docker.compose.project.working_dir']).toBe(deployment.dir);
    // Files it wrote into the deployment directory stay the operator's.
    expect(statSync(path.join(deployment.dir, '.tale', 'deployment-color')).uid).toBe(OPERATOR.uid);

    // The image's own health check, run now rather than waited for on Docker's schedule.
    const test = (await container.inspect()).Config.Healthcheck?.Test ?? [];
    expect(test[0]).toBe('CMD');
    const exec = await container.exec({ Cmd: test.slice(1), AttachStdout: false, AttachStderr: false });
    await exec.start({ Detach: true });
    const check = await pollUntil(() => exec.inspect(), (i) => !i.Running, 60_000, 500);
    expect(check.ExitCode).toBe(0);
  }, 600_000);

  it('survives its own restart mid-deploy: the site keeps serving, the operation is interrupted, the next deploy succeeds', async () => {
    // The slow version's platform is healthy only after 20 s: the deploy is mid-way for that long.
    const op = await deploy(SLOW_VERSION);
    await pollUntil(() => api.getContainer(`${deployment.id}-platform-green`).inspect().then(() => true, () => false), Boolean, 60_000, 200);
    expect((await getOperation(op.id)).status).toBe('running');
    const t0 = Date.now();
    await container.restart({ t: 10 });
    const restarted = Date.now();
    await waitForReady();
    console.log(`[container-image] console restarted in ${((restarted - t0) / 1000).toFixed(1)} s, ready ${((Date.now() - restarted) / 1000).toFixed(1)} s later`);

    expect(await siteVersion()).toBe(GOOD_VERSION);
    // The session survives too: its secret lives in the data volume.
    const after = await getOperation(op.id);
    expect(after.status).toBe('interrupted');
    // The start-up reconcile removes the half-made colour; the next deploy waits for it to finish.
    expect((await reconcileAfter(op.createdAt)).status).toBe('succeeded');

    const next = await deploy(NEXT_VERSION);
    const end = await finished(next.id);
    expect(end.status, JSON.stringify(end.error)).toBe('succeeded');
    await waitForUrl(`${proxyURL}/`, { host: 'localhost', accept: (r) => r.status === 200 && r.headers['x-tale-version'] === NEXT_VERSION });
  }, 900_000);
});
