import 'server-only';
import type http from 'node:http';
import Docker from 'dockerode';
import type { DockerClients } from './client';

type Dial = (opts: unknown, cb: (err: unknown, data?: unknown) => void) => unknown;

/**
 * The two clients of createDockerClients for an engine reached through `agents`, whose connections
 * are made elsewhere (server/remote's SSH agents: channels on one kept ssh connection, the api's
 * kept for the next request). `api` has the same 10 s idle timeout, `streaming` none. Every dockerode call, on the
 * client or on a container/volume object it hands out, goes through modem.dial: wrapping it turns a
 * transport error (not an engine's HTTP answer, which carries a status code) into the caller's
 * coded error in one place.
 */
export function createAgentDockerClients(agents: { api: http.Agent; streaming: http.Agent }, mapError: (err: unknown) => Error): DockerClients {
  const make = (agent: http.Agent, timeout?: number) => {
    // The host name only fills the Host header: the agent makes the connection.
    // (docker-modem passes `agent` on to http.request; @types/dockerode does not list it.)
    const options = { protocol: 'http' as const, host: 'docker', port: 80, agent, ...(timeout ? { timeout } : {}) };
    const docker = new Docker(options);
    const modem = docker.modem as unknown as { dial: Dial };
    const dial = modem.dial.bind(modem);
    modem.dial = (opts, cb) => dial(opts, (err, data) => cb(err && typeof (err as { statusCode?: unknown }).statusCode !== 'number' ? mapError(err) : err, data));
    return docker;
  };
  return { api: make(agents.api, 10_000), streaming: make(agents.streaming) };
}
