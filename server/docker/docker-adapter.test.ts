import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { colorSpecs } from '@/server/stack/generate-stack';
import { createBody, createDockerPort, demuxLogs, digestReference, pullArguments } from './docker-adapter';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header.writeUInt8(stream, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('demuxLogs', () => {
  const modem = new Docker({ socketPath: '/nonexistent.sock' }).modem;

  it('splits multiplexed frames into ordered stdout and stderr lines', async () => {
    const raw = Buffer.concat([frame(1, 'out one\nout '), frame(2, 'err one\n'), frame(1, 'two\n'), frame(2, 'tail without newline')]);
    expect(await demuxLogs(modem, raw)).toEqual([
      { stream: 'stdout', text: 'out one' },
      { stream: 'stderr', text: 'err one' },
      { stream: 'stdout', text: 'out two' },
      { stream: 'stderr', text: 'tail without newline' },
    ]);
  });

  it('keeps binary-looking payloads intact instead of stripping header-like bytes', async () => {
    const raw = frame(1, 'value \u0001\u0000\u0000\u0000 kept\n');
    expect(await demuxLogs(modem, raw)).toEqual([{ stream: 'stdout', text: 'value \u0001\u0000\u0000\u0000 kept' }]);
  });
});

describe('pullArguments', () => {
  it('pulls by digest when the reference is pinned', () => {
    expect(pullArguments('127.0.0.1:5000/tale/tale-platform:1.0.0@sha256:abc')).toEqual({
      fromImage: '127.0.0.1:5000/tale/tale-platform',
      tag: 'sha256:abc',
    });
    expect(pullArguments('127.0.0.1:5000/tale-rag:2.0')).toEqual({ fromImage: '127.0.0.1:5000/tale-rag', tag: '2.0' });
    expect(pullArguments('127.0.0.1:5000/tale-rag')).toEqual({ fromImage: '127.0.0.1:5000/tale-rag', tag: 'latest' });
  });
});

describe('digestReference', () => {
  it('names a pinned image as the reference store keeps a pull by digest, and nothing for a tag', () => {
    expect(digestReference('127.0.0.1:5000/tale-platform:1.1.0@sha256:abc')).toBe('127.0.0.1:5000/tale-platform@sha256:abc');
    expect(digestReference('127.0.0.1:5000/tale-platform@sha256:abc')).toBe('127.0.0.1:5000/tale-platform@sha256:abc');
    expect(digestReference('127.0.0.1:5000/tale-rag:2.0')).toBeNull();
    expect(digestReference('127.0.0.1:5000/tale-rag')).toBeNull();
  });
});

describe('createBody', () => {
  it('maps a Tale colour spec to an Engine API 1.41 create body', () => {
    const [rag] = colorSpecs(
      { projectId: 'acme', deploymentDir: '/srv/tale', env: { A: 'x=y' }, images: { version: '1.0.0' } },
      'green',
    );
    if (!rag) throw new Error('no spec');
    const body = createBody(rag);
    expect(body.name).toBe('acme-rag-green');
    expect(body.Env).toContain('A=x=y');
    expect(body.Healthcheck).toEqual({ Test: ['CMD', 'curl', '-f', 'http://localhost:8001/health'], Interval: 5e9, Timeout: 3e9, StartPeriod: 40e9, Retries: 2 });
    expect(body.StopTimeout).toBe(10);
    expect(body.HostConfig?.RestartPolicy).toEqual({ Name: 'unless-stopped' });
    expect(body.HostConfig?.NetworkMode).toBe('acme_internal');
    expect(body.NetworkingConfig?.EndpointsConfig).toEqual({ acme_internal: { Aliases: ['rag-green'] } });
    expect(body.Labels?.['com.docker.compose.project']).toBe('acme-green');
  });
});

describe('createDockerPort on a slow daemon', () => {
  // A stand-in daemon on a unix socket that answers every request after 600 ms, like a busy host.
  const dir = mkdtempSync(path.join(tmpdir(), 'slow-docker-'));
  const socketPath = path.join(dir, 'docker.sock');
  const seen: string[] = [];
  let server: Server;

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url?.split('?')[0]}`);
      setTimeout(() => res.writeHead(204).end(), 600);
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('waits for a mutation instead of abandoning it at the shared client’s short timeout', async () => {
    const shared = new Docker({ socketPath, timeout: 200 });
    // The shared client itself gives up: this is the timeout the port must not inherit.
    await expect(shared.getContainer('x').remove({ force: true })).rejects.toThrow();
    const port = createDockerPort(shared);
    await expect(port.removeContainer('x')).resolves.toBeUndefined();
    await expect(port.startContainer('x')).resolves.toBeUndefined();
    expect(seen.filter((s) => s === 'DELETE /containers/x')).toHaveLength(2);
    expect(seen).toContain('POST /containers/x/start');
  });
});

describe('createDockerPort removing a container that exits at that moment', () => {
  // Docker 20.10's answers to that race, in the order it gives them, then the container is gone.
  const dir = mkdtempSync(path.join(tmpdir(), 'racy-docker-'));
  const socketPath = path.join(dir, 'docker.sock');
  const answers: Array<[number, string]> = [
    [500, 'Could not kill running container x, cannot remove - Container x is not running'],
    [409, 'removal of container x is already in progress'],
    [404, 'No such container: x'],
  ];
  let deletes = 0;
  let server: Server;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const [status, message] = answers[Math.min(deletes++, answers.length - 1)]!;
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message }));
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks again until the container is gone instead of failing the step', async () => {
    await expect(createDockerPort(new Docker({ socketPath })).removeContainer('x')).resolves.toBeUndefined();
    expect(deletes).toBe(3);
  });
});
