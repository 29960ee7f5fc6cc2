// The environments' SSH transport (server/remote, #21) against a real second Docker Engine behind
// a real OpenSSH server (e2e/fixtures/remote-host.ts): host-key scan and pinning, docker-over-SSH,
// SFTP with atomic writes, and the coded errors of each way it can fail. One test bed for the file;
// the scenarios run in order on it (the host key changes half-way).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSshEndpoint, scanHostKey, type RemoteEndpoint } from '@/server/remote/ssh-endpoint';
import { RemoteError } from '@/server/remote/remote-error';
import { updateEnvFile } from '@/server/project/env-file';
import { listHistory } from '@/server/project/file-history';
import { acquireDeploymentLock, createDeploymentLock, readDeploymentColor, releaseDeploymentLock, writeDeploymentColor } from '@/server/project/state-files';
import { ensureRemoteBusyboxImage, REMOTE_BUSYBOX_IMAGE, startRemoteHost, type RemoteHost } from '../fixtures/remote-host';
import { docker, runCommand } from '../fixtures/run-command';

let host: RemoteHost;
let pin: string;
let deployDir: string;
const open: RemoteEndpoint[] = [];
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-remote-it-'));

beforeAll(async () => {
  [host] = await Promise.all([startRemoteHost({ id: 'rmit' }), ensureRemoteBusyboxImage()]);
  await host.loadImages([REMOTE_BUSYBOX_IMAGE]);
  pin = await host.hostKeyFingerprint();
  deployDir = path.join(host.deployDirRoot, 'rm-app');
  fs.mkdirSync(deployDir);
  await runCommand('chown', [`${host.ssh.user}:${host.ssh.user}`, deployDir]);
});
afterAll(async () => {
  for (const ep of open) await ep.close();
  await host?.dispose();
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function openEndpoint(o: Partial<Parameters<typeof openSshEndpoint>[1]> = {}, target = host.ssh) {
  const ep = await openSshEndpoint(target, { privateKey: host.privateKey, hostKeyFingerprint: pin, deployDir, timeoutMs: 10_000, ...o });
  open.push(ep);
  return ep;
}

async function codeOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(RemoteError);
    return { code: (e as RemoteError).code, message: (e as RemoteError).message };
  }
  throw new Error('expected a RemoteError, the call succeeded');
}

const keyBody = (pem: string) => pem.split('\n').filter((l) => l && !l.startsWith('-----')).join('');

describe('SSH endpoint on a second engine', () => {
  let ep: RemoteEndpoint;

  it('scans the host key the server holds, without logging in', async () => {
    const key = await scanHostKey(host.ssh);
    expect(key).toEqual({ algorithm: 'ssh-ed25519', fingerprint: pin });
    expect(host.sshLog()).not.toContain('Accepted publickey');
  });

  it('reaches the second engine over SSH and runs a container there', async () => {
    let t0 = Date.now();
    ep = await openEndpoint();
    const openMs = Date.now() - t0;
    t0 = Date.now();
    const info = await ep.docker.api.info();
    const firstCallMs = Date.now() - t0;
    t0 = Date.now();
    const version = await ep.docker.api.version();
    console.log(`remote endpoint: open ${openMs} ms, first docker call ${firstCallMs} ms, next call ${Date.now() - t0} ms (engine ${version.Version})`);
    const second = (await host.docker(['info', '--format', '{{.DockerRootDir}}'])).stdout.trim();
    const first = (await docker(['info', '--format', '{{.DockerRootDir}}'])).stdout.trim();
    expect(info.DockerRootDir).toBe(second);
    expect(info.DockerRootDir).not.toBe(first);

    const c = await ep.docker.api.createContainer({ Image: REMOTE_BUSYBOX_IMAGE, Cmd: ['echo', 'hello from rm'], name: 'rm-probe', HostConfig: { NetworkMode: 'none' } });
    await c.start();
    expect(await c.wait()).toMatchObject({ StatusCode: 0 });
    const logs = await c.logs({ stdout: true, stderr: true });
    expect(logs.toString('latin1')).toContain('hello from rm');
    expect((await host.docker(['ps', '-a', '--format', '{{.Names}}'])).stdout).toContain('rm-probe');
    expect((await docker(['ps', '-a', '--format', '{{.Names}}'])).stdout).not.toContain('rm-probe');
    await c.remove();
    expect((await host.docker(['ps', '-a', '--format', '{{.Names}}'])).stdout).not.toContain('rm-probe');
  });

  it('writes files atomically with their mode and reads them back', async () => {
    await ep.files.checkWritable();
    await ep.files.writeFileAtomic('.env', 'SECRET=1\n', 0o600);
    expect((await ep.files.readFile('.env'))?.toString()).toBe('SECRET=1\n');
    const st = fs.statSync(path.join(deployDir, '.env'));
    expect(st.mode & 0o777).toBe(0o600);
    expect(await ep.files.readFile('missing.yml')).toBeNull();

    // A reader polling the file on disk while it is replaced again and again sees one whole
    // version or the other, never a mix or a short file.
    const size = 256 * 1024;
    const versions = ['a', 'b'].map((ch) => ch.repeat(size));
    const alone = Date.now();
    await ep.files.writeFileAtomic('compose.yml', versions[0]!, 0o644);
    const aloneMs = Date.now() - alone;
    let writing = true;
    const seen = { a: 0, b: 0, partial: 0 };
    const reader = (async () => {
      while (writing) {
        const s = fs.readFileSync(path.join(deployDir, 'compose.yml'), 'latin1');
        if (s === versions[0]) seen.a++;
        else if (s === versions[1]) seen.b++;
        else seen.partial++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    const t0 = Date.now();
    for (let i = 1; i <= 6; i++) await ep.files.writeFileAtomic('compose.yml', versions[i % 2]!, 0o644);
    const writeMs = (Date.now() - t0) / 6;
    writing = false;
    await reader;
    console.log(`remote endpoint: writeFileAtomic of ${size} bytes ${aloneMs} ms alone, ${writeMs.toFixed(0)} ms each under the busy reader; reader saw ${JSON.stringify(seen)}`);
    expect(seen.partial).toBe(0);
    expect(seen.a + seen.b).toBeGreaterThan(0);
    expect(fs.readdirSync(deployDir).sort()).toEqual(['.env', 'compose.yml']); // no temp file left behind
  });

  it('runs the project modules over SFTP: .env edit with its backup, the exclusive lock, state files', async () => {
    const at = ep.project;
    const local = (rel: string) => path.join(deployDir, rel);
    await updateEnvFile(at, { SECRET: '2', HOST: 'remote.example' }, { now: () => new Date('2026-12-03T19:00:00Z') });
    expect(fs.readFileSync(local('.env'), 'utf8')).toBe('SECRET=2\nHOST=remote.example\n');
    expect(fs.statSync(local('.env')).mode & 0o777).toBe(0o600);
    // The previous version kept beside it, as on this host, never wider than the original.
    const kept = local('.tale/backups/.env.2026-12-03T19-00-00-000Z');
    expect(fs.readFileSync(kept, 'utf8')).toBe('SECRET=1\n');
    expect(fs.statSync(kept).mode & 0o777).toBe(0o600);
    expect((await listHistory(at)).map((h) => h.id)).toEqual(['.env.2026-12-03T19-00-00-000Z']);

    const lock = { pid: 4242, startedAt: '2026-12-03T19:00:00.000Z', command: 'deploy' };
    await acquireDeploymentLock(at, lock, () => true);
    expect(JSON.parse(fs.readFileSync(local('.tale/deployment-lock'), 'utf8'))).toMatchObject({ pid: 4242 });
    await expect(acquireDeploymentLock(at, { ...lock, pid: 4343 }, () => true)).rejects.toMatchObject({ code: 'LOCK_HELD' });
    // The race guard itself, the exclusive create, refuses over SFTP too (SFTP v3 has no "exists" status).
    await expect(createDeploymentLock(at, { ...lock, pid: 4343 })).rejects.toMatchObject({ code: 'LOCK_HELD' });
    expect(await releaseDeploymentLock(at, lock)).toBe(true);
    expect(fs.existsSync(local('.tale/deployment-lock'))).toBe(false);

    await writeDeploymentColor(at, 'green');
    expect(await readDeploymentColor(at)).toEqual({ color: 'green', invalid: false });
    expect(fs.readFileSync(local('.tale/deployment-color'), 'utf8')).toBe('green');
    await ep.files.writeFileAtomic('.env', 'SECRET=1\n'); // what the scenarios below read back
  });

  it('tells an engine that does not answer from a host that does', async () => {
    // The socket root's alone for a moment: SSH lets the user in, `docker system dial-stdio` cannot connect.
    const sock = host.dockerHost.replace(/^unix:\/\//, '');
    const mode = fs.statSync(sock).mode & 0o777;
    // A fresh endpoint: ep's kept api channels already hold a connection to the engine.
    const fresh = await openEndpoint();
    fs.chmodSync(sock, 0o600);
    try {
      const down = await codeOf(fresh.docker.api.version());
      expect(down.code).toBe('DOCKER_UNAVAILABLE');
    } finally {
      fs.chmodSync(sock, mode);
    }
    expect((await ep.docker.api.version()).Version).toBeTruthy();
  });

  it('names a missing or read-only deployment directory', async () => {
    const missing = await openEndpoint({ deployDir: path.join(host.deployDirRoot, 'rm-nope') });
    expect((await codeOf(missing.files.checkWritable())).code).toBe('DIRECTORY_MISSING');
    expect((await codeOf(missing.files.writeFileAtomic('.env', 'X=1'))).code).toBe('DIRECTORY_MISSING');
    const ro = path.join(host.deployDirRoot, 'rm-ro'); // root's, 0755: the ssh user may only read
    fs.mkdirSync(ro, { mode: 0o755 });
    const readOnly = await openEndpoint({ deployDir: ro });
    expect((await codeOf(readOnly.files.checkWritable())).code).toBe('DIRECTORY_NOT_WRITABLE');
    expect((await codeOf(readOnly.files.writeFileAtomic('.env', 'X=1'))).code).toBe('DIRECTORY_NOT_WRITABLE');
    expect(fs.readdirSync(ro)).toEqual([]);
  });

  it('refuses a wrong key or a wrong user, without the key in the message', async () => {
    const other = path.join(scratch, 'other_key');
    await runCommand('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const otherKey = fs.readFileSync(other, 'utf8');
    const wrongKey = await codeOf(openEndpoint({ privateKey: otherKey }));
    expect(wrongKey.code).toBe('AUTH_FAILED');
    expect(wrongKey.message).not.toContain(keyBody(otherKey).slice(0, 40));
    const wrongUser = await codeOf(openEndpoint({}, { ...host.ssh, user: 'rm-nobody' }));
    expect(wrongUser.code).toBe('AUTH_FAILED');
    expect(wrongUser.message).not.toContain(keyBody(host.privateKey).slice(0, 40));
  });

  it('refuses a changed host key on every connection, before logging in', async () => {
    // The kept connection ends with the old server (its key was checked when it was made).
    await host.stopSsh();
    await host.changeHostKey();
    const presented = await host.hostKeyFingerprint();
    expect(presented).not.toBe(pin);
    // The endpoint opened before the change: its next connection meets the new key.
    const viaDocker = await codeOf(ep.docker.api.version());
    expect(viaDocker.code).toBe('HOST_KEY_CHANGED');
    expect(viaDocker.message).toContain(pin);
    expect(viaDocker.message).toContain(presented);
    const reopen = await codeOf(openEndpoint());
    expect(reopen.code).toBe('HOST_KEY_CHANGED');
    expect(reopen.message).toContain(presented);
    // No session reached the host, so no docker call reached its engine.
    expect(host.sshLog()).not.toContain('Accepted publickey');
    expect((await scanHostKey(host.ssh)).fingerprint).toBe(presented);
    pin = presented; // the operator confirms the new key
  });

  it('fails with a coded error while the host is away and works again once it is back', async () => {
    const ep2 = await openEndpoint();
    await ep2.docker.api.ping();
    await host.stopSsh();
    let t0 = Date.now();
    const docker = await codeOf(ep2.docker.api.version());
    const dockerMs = Date.now() - t0;
    t0 = Date.now();
    const files = await codeOf(ep2.files.readFile('.env'));
    console.log(`remote endpoint: host away: docker ${docker.code} after ${dockerMs} ms, files ${files.code} after ${Date.now() - t0} ms`);
    expect(['HOST_UNREACHABLE', 'CONNECTION_LOST']).toContain(docker.code);
    expect(['HOST_UNREACHABLE', 'CONNECTION_LOST']).toContain(files.code);
    await host.startSsh();
    const ep3 = await openEndpoint();
    expect((await ep3.docker.api.version()).Version).toBeTruthy();
    // The first endpoint's files reconnect on next use.
    expect((await ep2.files.readFile('.env'))?.toString()).toBe('SECRET=1\n');
  });

  it('keeps one SSH connection for the files and every Docker call, opens it again after a drop, and follows a log beside api calls', async () => {
    await host.stopSsh(); // every session ends; the log starts afresh
    await host.startSsh();
    const logins = () => host.sshLog().split('Accepted publickey').length - 1;
    const ep4 = await openEndpoint();
    const t0 = Date.now();
    const N = 20;
    for (let i = 0; i < N; i++) {
      await [() => ep4.docker.api.ping(), () => ep4.docker.api.version(), () => ep4.docker.api.listContainers({ all: true }), () => ep4.files.readFile('.env')][i % 4]!();
    }
    const eachMs = (Date.now() - t0) / N;
    await Promise.all(Array.from({ length: 6 }, () => ep4.docker.api.version())); // beyond the 4 kept api channels: they wait, on the same connection
    console.log(`remote endpoint: ${N} sequential calls (docker and sftp) ${eachMs.toFixed(1)} ms each; sshd logins ${logins()}`);
    expect(logins()).toBe(1);

    // A killed connection: the next call connects again (one more login) and answers.
    await host.stopSsh();
    await host.startSsh();
    expect(logins()).toBe(0);
    expect((await ep4.docker.api.version()).Version).toBeTruthy();
    expect((await ep4.files.readFile('.env'))?.toString()).toBe('SECRET=1\n');
    expect(logins()).toBe(1);

    // A followed log keeps its own channel while api calls come and go beside it: were its channel
    // handed back to the pool, the next api call would read log bytes and the log would stop.
    const c = await ep4.docker.api.createContainer({ Image: REMOTE_BUSYBOX_IMAGE, name: 'rm-follow', Cmd: ['sh', '-c', 'i=0; while true; do echo line $i; i=$((i+1)); sleep 0.1; done'], HostConfig: { NetworkMode: 'none' } });
    try {
      await c.start();
      const stream = (await ep4.docker.streaming.getContainer(c.id).logs({ follow: true, stdout: true, stderr: true })) as NodeJS.ReadableStream & { destroy(): void };
      let text = '';
      stream.on('data', (b: Buffer) => (text += b.toString('latin1')));
      const lines = () => (text.match(/line \d+/g) ?? []).length;
      const waitLines = async (n: number) => {
        for (const deadline = Date.now() + 20_000; lines() < n && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
        return lines();
      };
      expect(await waitLines(3)).toBeGreaterThanOrEqual(3);
      for (let i = 0; i < 10; i++) expect((await ep4.docker.api.getContainer('rm-follow').inspect()).State.Running).toBe(true);
      const before = lines();
      expect(await waitLines(before + 5)).toBeGreaterThanOrEqual(before + 5);
      stream.destroy();
      expect((await ep4.docker.api.version()).Version).toBeTruthy();
      console.log(`remote endpoint: followed ${lines()} log lines beside 10 api calls; sshd logins ${logins()}`);
      expect(logins()).toBe(1); // the stream's channel rode on the kept connection too
    } finally {
      await c.remove({ force: true });
    }
    await ep4.close();
  });
});
