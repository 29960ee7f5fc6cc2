import 'server-only';
import Docker from 'dockerode';
import { getEnv } from '../env';

const cache = globalThis as unknown as { __taleConsoleDocker?: Docker };

export function getDocker(): Docker {
  cache.__taleConsoleDocker ??= new Docker({ ...getEnv().docker, timeout: 10_000 });
  return cache.__taleConsoleDocker;
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
