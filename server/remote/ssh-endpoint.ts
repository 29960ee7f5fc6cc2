import 'server-only';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client, utils, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import type { DockerClients } from '../docker/client';
import { createAgentDockerClients } from '../docker/ssh-clients';
import { dialStdioOver, pooledDockerAgent } from './ssh-docker-agent';
import { hostKeyOf, isFingerprint, fingerprintOf, type HostKey } from './host-key';
import { RemoteError } from './remote-error';
import { mapSshError, type HostKeyMismatch } from './ssh-errors';
import { parseSshUrl, type SshTarget } from './ssh-url';
import { SFTP_NO_SUCH_FILE, SFTP_PERMISSION_DENIED, sftpFileOps } from './sftp-file-ops';
import { atomicWriteFile } from '../project/atomic-write';
import type { ProjectDir } from '../project/file-ops';

export type { SshTarget, HostKey };
export { parseSshUrl };

export interface RemoteFiles {
  /** The file's bytes, or null when it does not exist. */
  readFile(rel: string): Promise<Buffer | null>;
  /** Temp file in the same directory, fsync, posix-rename over the target: a reader sees the old or the new file, never half of one. */
  writeFileAtomic(rel: string, data: Buffer | string, mode?: number): Promise<void>;
  /** Throws DIRECTORY_MISSING or DIRECTORY_NOT_WRITABLE. */
  checkWritable(): Promise<void>;
}

export interface RemoteEndpoint {
  docker: DockerClients;
  files: RemoteFiles;
  /** The deployment directory for the project modules (server/project/file-ops.ts): the same code as on this host. */
  project: ProjectDir;
  close(): Promise<void>;
}

export type OpenOptions = {
  privateKey: string;
  hostKeyFingerprint: string;
  deployDir: string;
  timeoutMs?: number;
  /** Return at once and connect on first use (a kept environment runtime), instead of proving the connection first. */
  lazy?: boolean;
};

const DEFAULT_TIMEOUT_MS = 10_000;
// OpenSSH allows 10 sessions (channels) per connection by default (MaxSessions): the SFTP session,
// up to API_CHANNELS kept api channels and a few streams share the kept connection; a stream
// beyond SHARED_CHANNELS gets a connection of its own.
const SHARED_CHANNELS = 8;
const API_CHANNELS = 4;
const API_IDLE_CHANNELS = 2;
/** An idle api channel (and its remote `docker system dial-stdio` process) is closed after this. */
const IDLE_CHANNEL_MS = 30_000;

/** The host's key, without authenticating: the verifier sees it during key exchange, then refuses the connection. */
export function scanHostKey(t: SshTarget, opts: { timeoutMs?: number } = {}): Promise<HostKey> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let seen: HostKey | null = null;
    const done = (fn: () => void) => {
      client.removeAllListeners();
      client.on('error', () => {}); // late socket errors after we gave up on the connection
      client.end();
      fn();
    };
    client.on('error', (err) => done(() => (seen ? resolve(seen) : reject(mapSshError(err, t)))));
    client.on('ready', () => done(() => reject(new RemoteError('CONNECTION_LOST', `${t.host}:${t.port} accepted a connection without a key check.`))));
    client.on('close', () => done(() => (seen ? resolve(seen) : reject(new RemoteError('CONNECTION_LOST', `${t.host}:${t.port} closed the connection before showing its host key.`)))));
    client.connect({
      host: t.host,
      port: t.port,
      username: t.user,
      readyTimeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      hostVerifier: (key: Buffer) => {
        seen = hostKeyOf(key);
        return false; // stop before authentication: nothing of ours is offered to an unconfirmed host
      },
    });
  });
}

/**
 * An environment's engine and deployment directory over SSH, pinned to one host key, on ONE kept
 * connection (made on first use, made again on the next use after a drop, the pin checked each
 * time): the files through its SFTP session, the Docker clients through `docker system dial-stdio`
 * channels on it (ssh-docker-agent.ts; the api client keeps idle channels for the next request).
 */
export async function openSshEndpoint(t: SshTarget, o: OpenOptions): Promise<RemoteEndpoint> {
  if (!isFingerprint(o.hostKeyFingerprint)) throw new RemoteError('INVALID_ENDPOINT', 'The pinned host key fingerprint is not of the form SHA256:<43 base64 characters>.');
  if (!path.posix.isAbsolute(o.deployDir) || o.deployDir.includes('\0') || o.deployDir.split('/').includes('..')) {
    throw new RemoteError('INVALID_ENDPOINT', 'The deployment directory must be an absolute path without "..".');
  }
  // Checked here so no connection can throw on it later; ssh2's own message is not passed on (it
  // could quote the input).
  const parsed = typeof o.privateKey === 'string' && o.privateKey.length <= 64 * 1024 ? utils.parseKey(o.privateKey) : new Error('too long');
  if (parsed instanceof Error || Array.isArray(parsed) || !parsed.isPrivateKey()) {
    throw new RemoteError('INVALID_ENDPOINT', 'The private key cannot be read: an unencrypted private key in OpenSSH or PEM format is expected.');
  }
  const root = path.posix.normalize(o.deployDir);
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let lastMismatch: HostKeyMismatch | null = null;
  // Runs on every connection, the files' and each of docker-modem's, before any authentication.
  const hostVerifier = (key: Buffer) => {
    const presented = fingerprintOf(key);
    if (presented === o.hostKeyFingerprint) return true;
    lastMismatch = { expected: o.hostKeyFingerprint, presented };
    return false;
  };
  const sshOptions: ConnectConfig = { privateKey: o.privateKey, hostVerifier, readyTimeout: timeoutMs };
  const mapError = (err: unknown) => mapSshError(err, t, lastMismatch);

  // One kept connection carries the SFTP session and the Docker channels (server/remote/ssh-docker-agent.ts).
  let session: Promise<Client> | null = null;
  let closed = false;
  let current: Client | null = null;
  const dial = (keepalive: boolean) =>
    new Promise<Client>((resolve, reject) => {
      const client = new Client();
      let ready = false;
      client.on('error', (err) => {
        if (!ready) reject(mapError(err));
      });
      client.on('close', () => {
        if (!ready) reject(new RemoteError('CONNECTION_LOST', `${t.host}:${t.port} closed the connection during set-up.`));
      });
      client.on('ready', () => {
        ready = true;
        resolve(client);
      });
      try {
        client.connect({
          host: t.host,
          port: t.port,
          username: t.user,
          ...sshOptions,
          agent: undefined,
          agentForward: false,
          tryKeyboard: false,
          // A host that vanishes without a FIN (cable, power) is noticed within ~3 intervals.
          ...(keepalive ? { keepaliveInterval: 15_000, keepaliveCountMax: 3 } : {}),
        });
        // Request/response traffic: with Nagle on, each small SFTP request waited for the host's
        // delayed ACK (~40 ms a round trip, 0.6 s for a 256 KiB write; ~5 ms without).
        client.setNoDelay(true);
      } catch (err) {
        reject(mapError(err));
      }
    });
  const connect = () => {
    const p = dial(true);
    void p.then(
      (client) => {
        current = client;
        // Only the current connection's end forgets the session: an old one closing late must not
        // drop its successor. The next call connects again (with the same pin).
        const forget = () => {
          if (current === client) {
            current = null;
            if (session === p) session = null;
          }
        };
        client.on('error', forget);
        client.on('close', forget);
        if (closed) client.end();
      },
      () => {},
    );
    return p;
  };
  const connection = async () => {
    if (closed) throw new RemoteError('CONNECTION_LOST', 'The endpoint was closed.');
    session ??= connect();
    const s = session;
    try {
      return await s;
    } catch (err) {
      if (session === s) session = null;
      throw err;
    }
  };
  const sftpOf = new WeakMap<Client, Promise<SFTPWrapper>>();
  const sftp = async () => {
    const client = await connection();
    let s = sftpOf.get(client);
    if (!s) {
      s = new Promise<SFTPWrapper>((resolve, reject) =>
        client.sftp((err, w) => {
          if (err) return reject(new RemoteError('CONNECTION_LOST', `${t.host}:${t.port} refused the SFTP subsystem.`, { cause: err }));
          w.once('close', () => sftpOf.get(client) === s && sftpOf.delete(client));
          resolve(w);
        }),
      );
      const mine = s;
      s.catch(() => sftpOf.get(client) === mine && sftpOf.delete(client));
      sftpOf.set(client, s);
    }
    return s;
  };
  // An SFTP call's error: a status from the server, or (no numeric code) the channel went away.
  const fileError = (err: unknown, what: string): RemoteError => {
    const code = (err as { code?: unknown }).code;
    if (code === SFTP_NO_SUCH_FILE) return new RemoteError('DIRECTORY_MISSING', `${what}: the deployment directory ${root} (or a folder in it) does not exist.`, { cause: err });
    if (code === SFTP_PERMISSION_DENIED) return new RemoteError('DIRECTORY_NOT_WRITABLE', `${what}: ${t.user} may not write in ${root}.`, { cause: err });
    if (typeof code === 'number') return new RemoteError('DIRECTORY_NOT_WRITABLE', `${what} failed on ${t.host} (SFTP status ${code}).`, { cause: err });
    return mapError(err);
  };
  const resolveRel = (rel: string) => {
    if (typeof rel !== 'string' || rel === '' || rel.includes('\0') || path.posix.isAbsolute(rel) || rel.split('/').some((s) => s === '..' || s === '.' || s === '')) {
      throw new RemoteError('INVALID_ENDPOINT', 'A deployment file name must be a relative path inside the deployment directory.');
    }
    return path.posix.join(root, rel);
  };
  const call = <T>(fn: (cb: (err: Error | null | undefined, v: T) => void) => void) =>
    new Promise<T>((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));

  const fs = sftpFileOps(sftp, fileError);
  const files: RemoteFiles = {
    readFile: (rel) => fs.readFile(resolveRel(rel)),
    async writeFileAtomic(rel, data, mode = 0o600) {
      await atomicWriteFile(resolveRel(rel), data, { mode, fs });
    },
    async checkWritable() {
      const s = await sftp();
      try {
        const st = await call<{ isDirectory(): boolean }>((cb) => s.stat(root, cb));
        if (!st.isDirectory()) throw new RemoteError('DIRECTORY_MISSING', `${root} on ${t.host} is not a directory.`);
      } catch (err) {
        throw fileError(err, 'Checking the deployment directory');
      }
      const probe = path.posix.join(root, `.tale-write-check-${randomBytes(6).toString('hex')}`);
      try {
        const h = await call<Buffer>((cb) => s.open(probe, 'wx', { mode: 0o600 }, cb));
        await call<void>((cb) => s.close(h, cb));
        await call<void>((cb) => s.unlink(probe, cb));
      } catch (err) {
        throw fileError(err, 'Checking the deployment directory');
      }
    },
  };

  if (!o.lazy) await sftp(); // the first connection proves the pin and the key before anything is returned
  // A dedicated connection (the old way, ended with its channel) only when the kept one already
  // carries SHARED_CHANNELS channels; without keep-alive pings, as it lives no longer than a stream.
  const dockerDial = dialStdioOver(t, connection, () => (closed ? Promise.reject(new RemoteError('CONNECTION_LOST', 'The endpoint was closed.')) : dial(true)), { sharedLimit: SHARED_CHANNELS, openTimeoutMs: timeoutMs });
  const agents = {
    api: pooledDockerAgent(dockerDial, { maxSockets: API_CHANNELS, maxFreeSockets: API_IDLE_CHANNELS, idleMs: IDLE_CHANNEL_MS }),
    // Streams (followed logs, events, exec, archives) last as long as their reader: a channel each, never reused.
    streaming: pooledDockerAgent(dockerDial, { maxSockets: Infinity, maxFreeSockets: 0, idleMs: 0 }),
  };
  const docker = createAgentDockerClients(agents, mapError);
  return {
    docker,
    files,
    project: { dir: root, fs },
    async close() {
      closed = true;
      const s = session;
      session = null;
      agents.api.destroy();
      agents.streaming.destroy();
      if (s) (await s.catch(() => null))?.end();
    },
  };
}
