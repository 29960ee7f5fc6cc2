import 'server-only';
import Docker from 'dockerode';
import type { Env } from '../env';

/**
 * The console's two Docker clients, made once by server/runtime.ts. `api` has a 10 s idle timeout
 * for request/response calls; `streaming` has none, for long-lived streams (log follows, the
 * database copy's exec) that a quiet container would otherwise see cut every 10 s: those end when
 * their reader goes away instead.
 */
export type DockerClients = { api: Docker; streaming: Docker };

export function createDockerClients(endpoint: Env['docker']): DockerClients {
  return { api: new Docker({ ...endpoint, timeout: 10_000 }), streaming: new Docker({ ...endpoint }) };
}

export type EngineStatus = { reachable: true; version: string; apiVersion: string } | { reachable: false; reason: string };

export async function engineStatus(docker: Docker): Promise<EngineStatus> {
  try {
    const v = await docker.version();
    return { reachable: true, version: v.Version, apiVersion: v.ApiVersion };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { reachable: false, reason: code === 'ENOENT' || code === 'ECONNREFUSED' ? 'The Docker Engine socket does not answer.' : 'The Docker Engine could not be reached.' };
  }
}
