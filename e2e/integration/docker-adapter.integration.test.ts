import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, copyFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerSpec } from '@/server/stack/types';
import { execInContainer } from '@/server/docker/container-exec';
import { createDockerPort } from '@/server/docker/docker-adapter';

// Against the real Docker Engine on this machine (API 1.41). Everything this file creates carries
// a per-run label or name and is removed in afterAll, pass or fail; nothing else is touched.

const run = promisify(execFile);
const RUN_ID = `adapter-${randomBytes(4).toString('hex')}`;
const TEST_LABEL = 'io.tale.console.test';
const IMAGE = `tale-console-test/busybox:${RUN_ID}`;
const NETWORK = `${RUN_ID}_internal`;
const VOLUME = `${RUN_ID}_data`;

const docker = new Docker({ socketPath: '/var/run/docker.sock', timeout: 60_000 });
const port = createDockerPort(docker);

// The container's program: ready after ~1 s, one line on each stream, and on SIGTERM a short
// drain followed by a clean exit, like the stand-ins do.
const PROGRAM = [
  'trap "echo draining; sleep 1; echo drained; exit 0" TERM',
  'echo hello-out',
  'echo hello-err >&2',
  // The json-file driver orders lines by time across streams; a pause makes "last" unambiguous.
  'sleep 0.3',
  'printf "last-out\\n"',
  'sleep 1',
  'touch /tmp/ready',
  'while true; do sleep 0.2; done',
].join('\n');

async function buildImage(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), `${RUN_ID}-`));
  try {
    const rootfs = path.join(dir, 'rootfs');
    mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
    mkdirSync(path.join(rootfs, 'tmp'), { recursive: true });
    mkdirSync(path.join(rootfs, 'data'), { recursive: true });
    chmodSync(path.join(rootfs, 'tmp'), 0o1777);
    copyFileSync('/bin/busybox', path.join(rootfs, 'bin/busybox'));
    chmodSync(path.join(rootfs, 'bin/busybox'), 0o755);
    for (const applet of ['sh', 'sleep', 'touch', 'test', 'echo', 'printf', 'nslookup', 'cat']) {
      symlinkSync('busybox', path.join(rootfs, 'bin', applet));
    }
    const tarball = path.join(dir, 'rootfs.tar');
    await run('tar', ['-C', rootfs, '--numeric-owner', '-cf', tarball, '.']);
    await run('docker', ['import', '--change', 'ENV PATH=/bin', '--change', 'CMD ["/bin/sh"]', tarball, IMAGE]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function spec(name: string, aliases: string[], cmdImage = IMAGE): ContainerSpec & { cmd?: string[] } {
  return {
    service: 'platform',
    composeService: 'platform-green',
    composeProject: `${RUN_ID}-green`,
    role: 'rotatable',
    color: 'green',
    name,
    image: cmdImage,
    env: { GREETING: 'hi there', WITH_EQUALS: 'a=b' },
    labels: { [TEST_LABEL]: RUN_ID, 'com.docker.compose.project': `${RUN_ID}-green`, 'io.tale.console.version': '9.9.9' },
    network: { network: NETWORK, aliases },
    mounts: [{ volume: VOLUME, target: '/data', readOnly: false }],
    ports: [],
    healthcheck: { test: ['CMD-SHELL', 'test -f /tmp/ready'], intervalSeconds: 1, timeoutSeconds: 2, retries: 3, startPeriodSeconds: 0 },
    restartPolicy: 'unless-stopped',
    logging: { driver: 'json-file', options: { 'max-size': '1m', 'max-file': '2' } },
    extraHosts: ['host.docker.internal:host-gateway'],
    stopGracePeriodSeconds: 7,
    shmSizeBytes: 64 * 1024 * 1024,
    dependsOn: [],
  };
}

/** Creates a container with our adapter, then sets its command (our specs take it from the image). */
async function createWithProgram(s: ContainerSpec, program: string): Promise<void> {
  // The adapter maps specs as they are; the test image has no program of its own, so the command is
  // committed into a per-test image first. This keeps the adapter free of test-only options.
  const tag = `${IMAGE}-${s.name.replace(/[^a-z0-9]/g, '')}`;
  const base = await docker.createContainer({ Image: IMAGE, Labels: { [TEST_LABEL]: RUN_ID } });
  await base.commit({ repo: tag.split(':')[0], tag: tag.split(':')[1], changes: [`CMD ["/bin/sh","-c",${JSON.stringify(program)}]`] });
  await base.remove({ force: true });
  createdImages.push(tag);
  await port.createContainer({ ...s, image: tag });
}

const createdImages: string[] = [IMAGE];

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Runs a one-shot probe on the network and returns what it printed. */
async function resolveOnNetwork(name: string): Promise<string> {
  const probe = `${RUN_ID}-probe-${randomBytes(2).toString('hex')}`;
  await docker.createContainer({
    name: probe,
    Image: IMAGE,
    Cmd: ['/bin/sh', '-c', `nslookup ${name} 127.0.0.11 || echo NXDOMAIN`],
    Labels: { [TEST_LABEL]: RUN_ID },
    HostConfig: { NetworkMode: NETWORK },
  });
  await docker.getContainer(probe).start();
  await waitFor('probe exit', async () => !(await docker.getContainer(probe).inspect()).State.Running, 15_000);
  const lines = await port.containerLogs(probe, 100);
  await port.removeContainer(probe);
  return lines.map((l) => l.text).join('\n');
}

beforeAll(async () => {
  await buildImage();
  await port.ensureNetwork({ name: NETWORK, driver: 'bridge', labels: { project: RUN_ID, [TEST_LABEL]: RUN_ID } });
  await port.ensureVolumes([{ name: VOLUME, labels: { project: RUN_ID, [TEST_LABEL]: RUN_ID } }]);
});

afterAll(async () => {
  const leftovers = await docker.listContainers({ all: true, filters: { label: [`${TEST_LABEL}=${RUN_ID}`] } });
  for (const c of leftovers) await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
  await docker.getNetwork(NETWORK).remove().catch(() => {});
  await docker.getVolume(VOLUME).remove().catch(() => {});
  for (const image of createdImages) await docker.getImage(image).remove({ force: true }).catch(() => {});
});

describe('createDockerPort against the real engine', () => {
  const name = `${RUN_ID}-web`;

  it('creates with labels, env, aliases, health check in nanoseconds, restart policy, logging, mounts, stop timeout', async () => {
    await createWithProgram(spec(name, ['web-green']), PROGRAM);
    const raw = await docker.getContainer(name).inspect();
    expect(raw.Config.Labels).toMatchObject({ [TEST_LABEL]: RUN_ID, 'io.tale.console.version': '9.9.9' });
    expect(raw.Config.Env).toEqual(expect.arrayContaining(['GREETING=hi there', 'WITH_EQUALS=a=b']));
    expect(raw.Config.Healthcheck).toMatchObject({ Test: ['CMD-SHELL', 'test -f /tmp/ready'], Interval: 1e9, Timeout: 2e9, Retries: 3 });
    expect((raw.Config as { StopTimeout?: number }).StopTimeout).toBe(7);
    expect(raw.HostConfig.RestartPolicy?.Name).toBe('unless-stopped');
    expect(raw.HostConfig.LogConfig).toEqual({ Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '2' } });
    expect(raw.HostConfig.ExtraHosts).toEqual(['host.docker.internal:host-gateway']);
    expect(raw.HostConfig.ShmSize).toBe(64 * 1024 * 1024);
    expect(raw.Mounts).toEqual([expect.objectContaining({ Type: 'volume', Name: VOLUME, Destination: '/data', RW: true })]);
    expect(raw.NetworkSettings.Networks[NETWORK]?.Aliases).toEqual(expect.arrayContaining(['web-green']));

    const listed = await port.listContainers({ [TEST_LABEL]: RUN_ID, 'com.docker.compose.project': `${RUN_ID}-green` });
    expect(listed.map((c) => c.name)).toEqual([name]);
  });

  it('starts and reaches healthy; the candidate answers only to its colour alias', async () => {
    await port.startContainer(name);
    const details = await waitFor('healthy', async () => {
      const d = await port.inspectContainer(name);
      return d?.health === 'healthy' ? d : null;
    });
    expect(details).toMatchObject({ name, running: true, restartCount: 0, exitCode: null, state: 'running' });
    expect(details.startedAt).toMatch(/^\d{4}-/);
    expect(details.labels['io.tale.console.version']).toBe('9.9.9');
    expect(await resolveOnNetwork('web-green')).toMatch(/Address: \d+\.\d+\.\d+\.\d+/);
    expect(await resolveOnNetwork('web')).not.toMatch(/Name:\s+web\b/);
  });

  it('switches: disconnect and reconnect with the shared alias makes the name resolve', async () => {
    await port.disconnectNetwork(NETWORK, name);
    await port.connectNetwork(NETWORK, name, ['web', 'web-green']);
    const details = await port.inspectContainer(name);
    expect(details?.running).toBe(true);
    expect(details?.networks[NETWORK]?.aliases).toEqual(expect.arrayContaining(['web', 'web-green']));
    expect(await resolveOnNetwork('web')).toMatch(/Address: \d+\.\d+\.\d+\.\d+/);
  });

  it('runs a command inside with its own argv, streams apart and exit code; cuts one past its deadline', async () => {
    const r = await execInContainer(docker, name, ['sh', '-c', 'echo to-out; echo to-err >&2; exit 3']);
    expect(r).toEqual({ exitCode: 3, stdout: 'to-out\n', stderr: 'to-err\n' });
    await expect(execInContainer(docker, name, ['sleep', '5'], 300)).rejects.toMatchObject({ code: 'EXEC_TIMEOUT' });
  });

  it('reads logs demultiplexed into stdout and stderr lines', async () => {
    const lines = await port.containerLogs(name, 50);
    // The json-file driver interleaves the two streams by write time, which a shell's separate
    // writes do not fix; each stream's own order is what is guaranteed.
    expect(lines.filter((l) => l.stream === 'stdout').map((l) => l.text)).toEqual(['hello-out', 'last-out']);
    expect(lines.filter((l) => l.stream === 'stderr').map((l) => l.text)).toEqual(['hello-err']);
    expect(await port.containerLogs(name, 1)).toEqual([{ stream: 'stdout', text: 'last-out' }]);
  });

  it('stops gracefully: SIGTERM, the program drains and exits 0 well before the grace period', async () => {
    const started = Date.now();
    // Longer than the client's 10 s idle timeout would allow, had the drain needed it.
    await port.stopContainer(name, 15);
    const took = Date.now() - started;
    const details = await port.inspectContainer(name);
    expect(details).toMatchObject({ running: false, exitCode: 0 });
    // Exit code 0, not 137: it drained and exited by itself, nobody killed it after the grace.
    expect(took).toBeGreaterThanOrEqual(900);
    const texts = (await port.containerLogs(name, 10)).map((l) => l.text);
    expect(texts).toEqual(expect.arrayContaining(['draining', 'drained']));
    // Idempotent: a second stop is fine.
    await port.stopContainer(name, 1);
  });

  it('kills at the end of the grace period a container that ignores SIGTERM', async () => {
    const stubborn = `${RUN_ID}-stubborn`;
    await createWithProgram(spec(stubborn, ['stubborn-green']), 'trap "" TERM; touch /tmp/ready; while true; do sleep 0.2; done');
    await port.startContainer(stubborn);
    const started = Date.now();
    // 12 s: longer than the client's 10 s idle timeout, which must not cut a graceful stop short.
    await port.stopContainer(stubborn, 12);
    expect(Date.now() - started).toBeGreaterThanOrEqual(11_900);
    expect((await port.inspectContainer(stubborn))?.exitCode).toBe(137);
    await port.removeContainer(stubborn);
  });

  it('reports a container that exits, with its exit code', async () => {
    const failing = `${RUN_ID}-exits`;
    await createWithProgram({ ...spec(failing, ['exits-green']), restartPolicy: 'unless-stopped' }, 'echo boom >&2; exit 3');
    await port.startContainer(failing);
    const d = await waitFor('exit or restart', async () => {
      const x = await port.inspectContainer(failing);
      return x && (!x.running || x.restartCount > 0 || x.restarting) ? x : null;
    });
    // unless-stopped restarts it; the engine fails fast on either signal.
    expect(d.restartCount > 0 || d.restarting || d.exitCode === 3).toBe(true);
    expect((await port.containerLogs(failing, 5)).some((l) => l.stream === 'stderr' && l.text === 'boom')).toBe(true);
    await port.removeContainer(failing);
  });

  it('removes, and removing or inspecting a missing container is not an error', async () => {
    await port.removeContainer(name);
    expect(await port.inspectContainer(name)).toBeNull();
    await port.removeContainer(name);
    expect(await port.listContainers({ [TEST_LABEL]: RUN_ID, 'com.docker.compose.project': `${RUN_ID}-green` })).toEqual([]);
  });

  it('ensureNetwork and ensureVolumes are idempotent', async () => {
    await port.ensureNetwork({ name: NETWORK, driver: 'bridge', labels: { project: RUN_ID } });
    await port.ensureVolumes([{ name: VOLUME, labels: { project: RUN_ID } }]);
    const nets = await docker.listNetworks({ filters: { name: [NETWORK] } });
    expect(nets.filter((n) => n.Name === NETWORK)).toHaveLength(1);
  });

  it('a pull that cannot reach its registry rejects', async () => {
    const events: unknown[] = [];
    await expect(port.pullImage('127.0.0.1:9/tale-nothing:1.0.0', (e) => events.push(e))).rejects.toThrow();
  });
});
