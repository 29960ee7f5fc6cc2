import http from 'node:http';
import type { Duplex } from 'node:stream';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { RemoteError } from './remote-error';
import type { SshTarget } from './ssh-url';

/**
 * An http.Agent whose every connection is a fresh ssh2 connection running `docker system
 * dial-stdio` on the host (what docker-modem's `protocol: 'ssh'` does), built here because
 * docker-modem's own agent hands http a bare ssh2 channel: the api client's request timeout then
 * calls `socket.setTimeout`, which a channel lacks, and the process dies with a TypeError. This
 * agent gives the channel the few socket methods http calls, and reports every failure as a
 * RemoteError (`connectError` decides which code; the verifier in `ssh` runs on every connection).
 * The command is fixed: nothing from the caller reaches the remote shell.
 */
export function sshDockerAgent(t: SshTarget, ssh: ConnectConfig, connectError: (err: unknown) => RemoteError): http.Agent {
  const agent = new http.Agent({ keepAlive: false });
  (agent as unknown as { createConnection: (o: unknown, cb: (err: Error | null, s?: Duplex) => void) => undefined }).createConnection = (_o, cb) => {
    const conn = new Client();
    let settled = false;
    const fail = (err: Error) => {
      conn.end();
      if (!settled) {
        settled = true;
        cb(err);
      }
    };
    conn.on('error', (err) => fail(connectError(err)));
    conn.on('close', () => fail(new RemoteError('CONNECTION_LOST', `${t.host}:${t.port} closed the SSH connection before Docker answered.`)));
    conn.on('ready', () => {
      conn.exec('docker system dial-stdio', (err, stream) => {
        if (err) return fail(new RemoteError('DOCKER_UNAVAILABLE', `${t.user}@${t.host}:${t.port} refused to run \`docker system dial-stdio\`.`, { cause: err }));
        stream.once('close', () => conn.end());
        settled = true;
        cb(null, asSocket(stream));
      });
    });
    try {
      // Keepalives: a pull or an event stream over a host that vanished without a FIN (power,
      // a dropped route) otherwise waits forever; this ends it within ~3 intervals, as the
      // files' connection does (ssh-endpoint.ts), with a CONNECTION_LOST naming the host.
      conn.connect({ host: t.host, port: t.port, username: t.user, keepaliveInterval: 15_000, keepaliveCountMax: 3, ...ssh, agent: undefined, agentForward: false, tryKeyboard: false });
      conn.setNoDelay(true); // small requests and answers: no waiting for delayed ACKs (see ssh-endpoint.ts)
    } catch (err) {
      fail(connectError(err)); // a throw here would escape http's agent as an uncaught exception
    }
    return undefined;
  };
  return agent;
}

/** The socket methods node's http client calls on its connection; idle timeout as net.Socket has it. */
export function asSocket(stream: ClientChannel): Duplex {
  let ms = 0;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    if (ms > 0) timer = setTimeout(() => stream.emit('timeout'), ms);
  };
  let watching = false;
  const s = stream as unknown as Record<string, unknown>;
  s.setTimeout = (msecs: number, onTimeout?: () => void) => {
    ms = msecs;
    if (onTimeout) stream.once('timeout', onTimeout);
    // Reset on traffic. http has attached its own 'data' listener by the time it sets a timeout,
    // so this one does not change the flow of the stream.
    if (!watching) {
      watching = true;
      stream.on('data', arm);
      stream.once('close', () => clearTimeout(timer));
    }
    arm();
    return stream;
  };
  s.setNoDelay = () => stream;
  s.setKeepAlive = () => stream;
  s.ref = () => stream;
  s.unref = () => stream;
  return stream;
}
