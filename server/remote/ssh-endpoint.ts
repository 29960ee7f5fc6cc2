// placeholder: the transport branch replaces this file
// Only what the environments branch needs to compile and to meet unreachable hosts in its tests:
// parseSshUrl, a host-key scan over ssh2, and an openSshEndpoint that fails as the real one does
// before authentication (unreachable, not SSH, changed key) and refuses to go further.
import { createHash } from 'node:crypto';
import { Client } from 'ssh2';
import type { DockerClients } from '../docker/client';
import { RemoteError } from './remote-error';

export type SshTarget = { user: string; host: string; port: number };
export type HostKey = { algorithm: string; fingerprint: string };

export interface RemoteFiles {
  readFile(rel: string): Promise<Buffer | null>;
  writeFileAtomic(rel: string, data: Buffer | string, mode?: number): Promise<void>;
  checkWritable(): Promise<void>;
}

export interface RemoteEndpoint {
  docker: DockerClients;
  files: RemoteFiles;
  close(): Promise<void>;
}

export function parseSshUrl(url: string): SshTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RemoteError('INVALID_ENDPOINT', 'The endpoint is not a URL of the form ssh://user@host[:port].');
  }
  if (u.protocol !== 'ssh:' || !u.username || !u.hostname || u.password || (u.pathname && u.pathname !== '/') || u.search || u.hash) {
    throw new RemoteError('INVALID_ENDPOINT', 'The endpoint must be ssh://user@host[:port].');
  }
  return { user: decodeURIComponent(u.username), host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : 22 };
}

function keyOf(blob: Buffer): HostKey {
  const len = blob.readUInt32BE(0);
  return { algorithm: blob.subarray(4, 4 + len).toString('latin1'), fingerprint: 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '') };
}

function handshake(t: SshTarget, timeoutMs: number, verify: (key: HostKey) => boolean): Promise<HostKey> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let seen: HostKey | null = null;
    const done = (err: RemoteError | null) => {
      client.end();
      if (err) reject(err);
      else resolve(seen!);
    };
    client.on('error', (err: Error & { code?: string; level?: string }) => {
      if (seen && !verify(seen)) return done(new RemoteError('HOST_KEY_CHANGED', `The host key of ${t.host}:${t.port} changed: presented ${seen.fingerprint}.`));
      if (seen) return done(null);
      const why = err.code === 'ECONNREFUSED' ? 'the connection was refused' : err.level === 'client-timeout' ? 'no SSH answer within the deadline' : 'it does not speak SSH';
      done(new RemoteError('HOST_UNREACHABLE', `The host ${t.host}:${t.port} cannot be reached: ${why}.`));
    });
    client.on('ready', () => done(null));
    client.connect({
      host: t.host,
      port: t.port,
      username: t.user,
      readyTimeout: timeoutMs,
      hostVerifier: (blob: Buffer) => {
        seen = keyOf(blob);
        return false; // the scan stops before authentication
      },
    });
  });
}

export function scanHostKey(t: SshTarget, opts: { timeoutMs?: number } = {}): Promise<HostKey> {
  return handshake(t, opts.timeoutMs ?? 10_000, () => true);
}

export async function openSshEndpoint(
  t: SshTarget,
  o: { privateKey: string; hostKeyFingerprint: string; deployDir: string; timeoutMs?: number },
): Promise<RemoteEndpoint> {
  const key = await handshake(t, o.timeoutMs ?? 10_000, (k) => k.fingerprint === o.hostKeyFingerprint);
  if (key.fingerprint !== o.hostKeyFingerprint) {
    throw new RemoteError('HOST_KEY_CHANGED', `The host key of ${t.host}:${t.port} changed: expected ${o.hostKeyFingerprint}, presented ${key.fingerprint}.`);
  }
  throw new RemoteError('DOCKER_UNAVAILABLE', 'placeholder: the transport branch provides the SSH endpoint.');
}
