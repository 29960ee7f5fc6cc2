import 'server-only';
import type { Clock, EnginePorts, EventSink, RegistryPort } from './engine/ports';
import { createDockerPort } from './docker/docker-adapter';
import { getDocker } from './docker/client';
import { createProjectPort } from './project/project-port';
import { RegistryClient } from './registry/registry-client';
import { getEnv } from './env';

// The composition root: real adapters wired into the engine's ports.

const clock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => (clearTimeout(t), reject(signal!.reason));
      // The listener goes with the timer: health polls sleep hundreds of times on one signal.
      const t = setTimeout(() => (signal?.removeEventListener('abort', onAbort), resolve()), ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

const registry: RegistryPort = {
  resolveVersion: (prefix, version) => new RegistryClient({ registry: prefix }).resolveVersion(version),
  listVersions: (prefix) => new RegistryClient({ registry: prefix }).listVersions(),
};

/** A lock's holder is alive when it is a process we can see (the CLI on this host) or us. */
function holderAlive(holder: { pid: number }): boolean {
  if (holder.pid === process.pid) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function createEnginePorts(events: EventSink): EnginePorts {
  return {
    docker: createDockerPort(getDocker()),
    registry,
    project: createProjectPort(getEnv().deployDir, holderAlive),
    clock,
    events,
  };
}
