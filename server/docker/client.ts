import 'server-only';
import Docker from 'dockerode';
import { getEnv } from '../env';

const cache = globalThis as unknown as { __taleConsoleDocker?: Docker; __taleConsoleStreamingDocker?: Docker };

export function getDocker(): Docker {
  cache.__taleConsoleDocker ??= new Docker({ ...getEnv().docker, timeout: 10_000 });
  return cache.__taleConsoleDocker;
}

/**
 * For long-lived streams (log follows): no idle timeout, which would cut the follow of a quiet
 * container every 10 s. These streams end when their reader goes away instead.
 */
export function getStreamingDocker(): Docker {
  cache.__taleConsoleStreamingDocker ??= new Docker({ ...getEnv().docker });
  return cache.__taleConsoleStreamingDocker;
}

export type EngineStatus = { reachable: true; version: string; apiVersion: string } | { reachable: false; reason: string };

export async function engineStatus(): Promise<EngineStatus> {
  try {
    const v = await getDocker().version();
    return { reachable: true, version: v.Version, apiVersion: v.ApiVersion };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { reachable: false, reason: code === 'ENOENT' || code === 'ECONNREFUSED' ? 'The Docker Engine socket does not answer.' : 'The Docker Engine could not be reached.' };
  }
}
