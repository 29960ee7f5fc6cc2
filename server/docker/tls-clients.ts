import 'server-only';
import https from 'node:https';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import Docker from 'dockerode';
import type { DockerClients } from './client';

/** Where and with what to reach a Docker Engine listening with `--tlsverify` (PEM text). */
export type TlsDockerTarget = { host: string; port: number; caCert: string; clientCert: string; clientKey: string };

type Dial = (opts: unknown, cb: (err: unknown, data?: unknown) => void) => unknown;

/**
 * The two clients of createDockerClients for an engine reached over TCP with TLS client
 * certificates (docs/environments.md#endpoints). The server is verified against the given CA and
 * the host name or IP address (node's defaults: rejectUnauthorized and checkServerIdentity are
 * never turned off). `api` keeps idle connections for the next request and has the 10 s idle
 * timeout, `streaming` opens a connection per request and has none. A connection that is not
 * established (TCP and TLS handshake) within `connectTimeoutMs` fails with ETIMEDOUT, so a port
 * that swallows packets is told apart from one that hung up. Every dockerode call goes through
 * modem.dial: wrapping it turns a transport error (not an engine's HTTP answer, which carries a
 * status code) into the caller's coded error in one place, so no TLS library text reaches a page.
 */
export function createTlsDockerClients(t: TlsDockerTarget, mapError: (err: unknown) => Error, opts: { connectTimeoutMs?: number } = {}): DockerClients & { close(): void } {
  const connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
  const secure = { ca: t.caCert, cert: t.clientCert, key: t.clientKey, rejectUnauthorized: true as const };
  class TimedAgent extends https.Agent {
    override createConnection(options: tls.ConnectionOptions, cb?: (err: Error | null, socket: Duplex) => void): Duplex {
      // An IP address is not a valid SNI name (RFC 6066); node checks the IP SAN without it.
      const socket = tls.connect({ ...options, host: t.host, port: t.port, ...secure, servername: t.host.includes(':') || /^[0-9.]+$/.test(t.host) ? '' : t.host });
      const timer = setTimeout(() => socket.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })), connectTimeoutMs);
      socket.once('secureConnect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
      cb?.(null, socket);
      return socket;
    }
  }
  const apiAgent = new TimedAgent({ keepAlive: true, maxSockets: 8, maxFreeSockets: 2, timeout: 30_000 });
  const streamingAgent = new TimedAgent({ keepAlive: false });
  const make = (agent: https.Agent, timeout?: number) => {
    // docker-modem passes ca/cert/key and the agent on to https.request; @types/dockerode lacks `agent`.
    const docker = new Docker({ protocol: 'https', host: t.host, port: t.port, ...secure, agent, ...(timeout ? { timeout } : {}) } as Docker.DockerOptions);
    const modem = docker.modem as unknown as { dial: Dial };
    const dial = modem.dial.bind(modem);
    modem.dial = (o, cb) => dial(o, (err, data) => cb(err && typeof (err as { statusCode?: unknown }).statusCode !== 'number' ? mapError(err) : err, data));
    return docker;
  };
  return {
    api: make(apiAgent, 10_000),
    streaming: make(streamingAgent),
    close() {
      apiAgent.destroy();
      streamingAgent.destroy();
    },
  };
}
