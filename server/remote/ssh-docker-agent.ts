import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';
import { RemoteError } from './remote-error';
import type { SshTarget } from './ssh-url';

/** Opens one byte stream to the remote engine's API (a `docker system dial-stdio` exec channel). */
export type DialStdio = () => Promise<Duplex>;

export type PoolOptions = {
  /** Channels in use at once; more requests wait for one to come free. Infinity: never wait. */
  maxSockets: number;
  /** Idle channels kept for the next request (0: close each after its request, no keep-alive). */
  maxFreeSockets: number;
  /** An idle channel is closed after this long (the remote `docker system dial-stdio` process ends with it). */
  idleMs: number;
};

/**
 * An http.Agent over `dial`: each HTTP connection is one channel, kept for the next request when
 * `maxFreeSockets` > 0 (node's keep-alive pool: a channel goes back to the pool only when its
 * response has been read to the end; an upgraded one, exec's attach, leaves the pool for good; a
 * destroyed one, a followed log the reader stopped, is closed). Built here because docker-modem's
 * own `protocol: 'ssh'` agent hands http a bare ssh2 channel: the api client's request timeout
 * then calls `socket.setTimeout`, which a channel lacks, and the process dies with a TypeError.
 */
export function pooledDockerAgent(dial: DialStdio, o: PoolOptions): http.Agent {
  const keepAlive = o.maxFreeSockets > 0;
  // `timeout` on a keep-alive agent is the idle timeout of the free channels (node destroys a free
  // socket on its 'timeout'); a request's own timeout (the api client's 10 s) replaces it while in use.
  // Node counts a socket toward maxSockets only once createConnection has called back: with an
  // async dial a burst of concurrent requests can open more channels than maxSockets (the extra
  // ones are closed when freed, beyond maxFreeSockets). The hard bound, OpenSSH's MaxSessions, is
  // kept by dialStdioOver, which counts channels still opening.
  const agent = new http.Agent({ keepAlive, maxSockets: o.maxSockets, maxFreeSockets: Math.max(1, o.maxFreeSockets), scheduling: 'lifo', ...(keepAlive ? { timeout: o.idleMs } : {}) });
  (agent as unknown as { createConnection: (o: unknown, cb: (err: Error | null, s?: Duplex) => void) => undefined }).createConnection = (_o, cb) => {
    // A throw here would escape http's agent as an uncaught exception: dial only rejects.
    dial().then(
      (stream) => {
        const socket = asSocket(stream as ClientChannel);
        // Its connection dropped ('lost', from dialStdioOver): out of the pool at once. Node's agent
        // drops a free socket only once it is no longer writable, which a channel of a dead
        // connection stays; freeSockets is the agent's documented list of idle sockets.
        socket.once('lost', () => {
          socket.emit('agentRemove');
          for (const list of Object.values(agent.freeSockets)) {
            const i = list?.indexOf(socket as never) ?? -1;
            if (i >= 0) list!.splice(i, 1);
          }
        });
        cb(null, socket);
      },
      (err: Error) => cb(err),
    );
    return undefined;
  };
  return agent;
}

type Tracked = { client: Client; open: Set<ClientChannel> };

/**
 * Channels running `docker system dial-stdio` on kept SSH connections. `connection()` gives the
 * endpoint's one kept connection (the SFTP session's; host key checked when it was made). When
 * `sharedLimit` channels are already open on it (OpenSSH allows 10 sessions per connection,
 * MaxSessions), a channel gets a connection of its own from `dedicated()`, ended with the channel,
 * so many followed logs never make a request wait. When a connection drops, its open channels fail
 * with CONNECTION_LOST (not http's 'socket hang up', which means the engine did not answer).
 * The command is fixed: nothing from the caller reaches the remote shell.
 */
export function dialStdioOver(
  t: SshTarget,
  connection: () => Promise<Client>,
  dedicated: () => Promise<Client>,
  o: { sharedLimit: number; openTimeoutMs: number },
): DialStdio {
  const tracked = new WeakMap<Client, Tracked>();
  // Channels being opened on each kept connection: counted with the open ones, so a burst of
  // requests overflows to dedicated connections instead of past MaxSessions.
  const opening = new WeakMap<Client, number>();
  const track = (client: Client): Tracked => {
    let e = tracked.get(client);
    if (!e) {
      const entry: Tracked = { client, open: new Set() };
      client.once('close', () => {
        const lost = new RemoteError('CONNECTION_LOST', `The SSH connection to ${t.host}:${t.port} was lost.`);
        for (const ch of entry.open) {
          ch.emit('lost'); // out of the keep-alive pool: never handed to another request
          ch.emit('error', lost); // a request on it fails with this, not with http's 'socket hang up'
          ch.resume(); // ssh2 emits 'close' only after 'end', which a paused stream never reaches
        }
        entry.open.clear();
      });
      tracked.set(client, entry);
      e = entry;
    }
    return e;
  };
  const exec = (client: Client, own: boolean) =>
    new Promise<Duplex>((resolve, reject) => {
      const entry = track(client);
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (own) client.end();
        reject(err);
      };
      // A connection that stopped answering without a FIN would hold the request until the
      // keep-alive notices (45 s): past the deadline it counts as lost and is ended.
      const timer = setTimeout(() => {
        fail(new RemoteError('CONNECTION_LOST', `${t.host}:${t.port} did not open a Docker channel within ${o.openTimeoutMs / 1000} s.`));
        client.end();
      }, o.openTimeoutMs);
      try {
        client.exec('docker system dial-stdio', (err, stream) => {
          if (settled) return void stream?.close();
          if (err) {
            const gone = /No response from server|Not connected/i.test(err.message);
            return fail(gone ? new RemoteError('CONNECTION_LOST', `The SSH connection to ${t.host}:${t.port} was lost.`, { cause: err }) : new RemoteError('DOCKER_UNAVAILABLE', `${t.user}@${t.host}:${t.port} refused to run \`docker system dial-stdio\`.`, { cause: err }));
          }
          settled = true;
          clearTimeout(timer);
          entry.open.add(stream);
          stream.on('error', () => {}); // http listens too; this one keeps a late error from being uncaught
          stream.once('close', () => {
            entry.open.delete(stream);
            if (own) client.end();
          });
          resolve(stream);
        });
      } catch (err) {
        fail(new RemoteError('CONNECTION_LOST', `The SSH connection to ${t.host}:${t.port} was lost.`, { cause: err }));
      }
    });
  return async () => {
    const client = await connection();
    const pending = opening.get(client) ?? 0;
    if (track(client).open.size + pending >= o.sharedLimit) return exec(await dedicated(), true);
    opening.set(client, pending + 1);
    try {
      return await exec(client, false);
    } finally {
      opening.set(client, (opening.get(client) ?? 1) - 1);
    }
  };
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
    s.timeout = msecs;
    // As net.Socket: 0 with a callback removes it (http does so when it frees a kept socket).
    if (onTimeout) {
      if (msecs === 0) stream.removeListener('timeout', onTimeout);
      else stream.once('timeout', onTimeout);
    }
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
  // ssh2's destroy() only starts the channel's close (a round trip): leave the agent's pool now, so
  // no request picks a closing channel meanwhile. ssh2 emits 'close' only after 'end', which a
  // paused stream (a kept one http no longer reads) never reaches: read on to the end, or the
  // request that destroyed it (the api client's timeout) would never settle.
  const destroy = stream.destroy.bind(stream);
  s.destroy = () => {
    destroy();
    stream.emit('agentRemove');
    stream.resume();
    return stream;
  };
  return stream;
}
