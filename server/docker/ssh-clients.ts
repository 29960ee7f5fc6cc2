import 'server-only';
import Docker from 'dockerode';
import type { ConnectConfig } from 'ssh2';
import type { DockerClients } from './client';

export type SshDockerOptions = {
  host: string;
  port: number;
  username: string;
  /** Passed to ssh2's Client.connect for every connection docker-modem opens (one per request). */
  sshOptions: Pick<ConnectConfig, 'privateKey' | 'hostVerifier' | 'readyTimeout'>;
  /** Turns a transport error (not an engine's HTTP answer) into the caller's coded error. */
  mapError: (err: unknown) => Error;
};

type Dial = (opts: unknown, cb: (err: unknown, data?: unknown) => void) => unknown;

/**
 * The two clients of createDockerClients, for an engine behind SSH (server/remote). docker-modem's
 * ssh protocol opens a fresh ssh2 connection per request and runs `docker system dial-stdio` on
 * it, so the host-key verifier in sshOptions runs on every connection. Every dockerode call, on
 * the client or on a container/volume object it hands out, goes through modem.dial: wrapping it
 * maps ssh2's raw errors to coded ones in one place. No ssh-agent, no agent forwarding.
 */
export function createSshDockerClients(o: SshDockerOptions): DockerClients {
  const make = (timeout?: number) => {
    const docker = new Docker({
      protocol: 'ssh',
      host: o.host,
      port: o.port,
      username: o.username,
      sshOptions: { ...o.sshOptions, agent: undefined, agentForward: false, tryKeyboard: false },
      ...(timeout ? { timeout } : {}),
    });
    const modem = docker.modem as unknown as { dial: Dial };
    const dial = modem.dial.bind(modem);
    modem.dial = (opts, cb) => dial(opts, (err, data) => cb(err && !isEngineAnswer(err) ? o.mapError(err) : err, data));
    return docker;
  };
  return { api: make(10_000), streaming: make() };
}

/** docker-modem's errors for an HTTP answer of the engine (404, 409, …) carry its status code. */
function isEngineAnswer(err: unknown): boolean {
  return typeof (err as { statusCode?: unknown }).statusCode === 'number';
}
