import 'server-only';
import { X509Certificate, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createTlsDockerClients } from '../docker/tls-clients';
import { atomicWriteFile } from '../project/atomic-write';
import { localDir } from '../project/file-ops';
import { RemoteError } from './remote-error';
import type { RemoteEndpoint } from './ssh-endpoint';
import { mapTlsError } from './tls-errors';
import type { TlsMaterial } from './tls-material';
import { parseTcpUrl, type TcpTarget } from './tcp-url';

export type { TcpTarget };
export { parseTcpUrl };

export type TcpOpenOptions = {
  tls: TlsMaterial;
  /**
   * The project's directory ON THIS HOST (docs/environments.md#endpoints): a bare Docker endpoint
   * has no file channel, and the stack's containers bind-mount nothing from it, so .env, the
   * override and .tale/ state live with the console. Created 0700 if missing.
   */
  projectDir: string;
  timeoutMs?: number;
  /** Return at once and connect on first use (a kept environment runtime), instead of proving the connection first. */
  lazy?: boolean;
};

const DEFAULT_TIMEOUT_MS = 10_000;

/** The given CA's subject, for a refusal to name it (public; the PEM itself never goes into a message). */
function caSubjectOf(material: TlsMaterial): string | undefined {
  const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(material.caCert)?.[0];
  if (!first) return undefined;
  try {
    return new X509Certificate(first).subject.replace(/\n/g, ', ');
  } catch {
    return undefined;
  }
}

/** The engine's answer to `docker version` over the endpoint, proving CA, host name and client certificate in one call. */
export type TcpProbe = { version: string; apiVersion: string; ms: number };

/**
 * Connects once and asks `docker version`: the host's certificate must chain to the CA given and
 * name the host, and the engine must accept the client certificate. Throws a coded RemoteError
 * (TLS_CERT_UNTRUSTED, TLS_NAME_MISMATCH, CLIENT_CERT_REFUSED, HOST_UNREACHABLE, …).
 */
export async function probeTcpEndpoint(t: TcpTarget, material: TlsMaterial, opts: { timeoutMs?: number } = {}): Promise<TcpProbe> {
  const started = Date.now();
  const given = { caSubject: caSubjectOf(material) };
  const clients = createTlsDockerClients({ ...t, ...material }, (err) => mapTlsError(err, t, given), { connectTimeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS });
  try {
    const v = await clients.api.version();
    return { version: v.Version, apiVersion: v.ApiVersion, ms: Date.now() - started };
  } catch (err) {
    throw mapTlsError(err, t, given);
  } finally {
    clients.close();
  }
}

/** A TCP+TLS endpoint: Docker over TLS to the remote engine, the project's files in a directory of the console's. */
export async function openTcpEndpoint(t: TcpTarget, o: TcpOpenOptions): Promise<RemoteEndpoint> {
  if (!path.isAbsolute(o.projectDir)) throw new RemoteError('INVALID_ENDPOINT', 'The project directory must be an absolute path.');
  await fs.mkdir(o.projectDir, { recursive: true, mode: 0o700 });
  const given = { caSubject: caSubjectOf(o.tls) };
  const clients = createTlsDockerClients({ ...t, ...o.tls }, (err) => mapTlsError(err, t, given), { connectTimeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS });
  if (!o.lazy) {
    try {
      await clients.api.ping();
    } catch (err) {
      clients.close();
      throw mapTlsError(err, t, given);
    }
  }
  const project = localDir(o.projectDir);
  const inside = (rel: string) => {
    const file = path.resolve(o.projectDir, rel);
    if (path.isAbsolute(rel) || rel.split(/[\\/]/).includes('..') || !file.startsWith(o.projectDir + path.sep)) throw new RemoteError('INVALID_ENDPOINT', 'File names are relative paths inside the project directory.');
    return file;
  };
  return {
    docker: { api: clients.api, streaming: clients.streaming },
    project,
    files: {
      readFile: (rel) => project.fs.readFile(inside(rel)),
      async writeFileAtomic(rel, data, mode = 0o600) {
        await atomicWriteFile(inside(rel), data, { mode });
      },
      async checkWritable() {
        const probe = inside(`.tale-probe-${randomBytes(6).toString('hex')}`);
        await fs.writeFile(probe, '', { flag: 'wx', mode: 0o600 });
        await fs.rm(probe, { force: true });
      },
    },
    async close() {
      clients.close();
    },
  };
}
