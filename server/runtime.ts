import 'server-only';
import type { Clock, EnginePorts, EventSink, RegistryPort } from './engine/ports';
import { createDockerPort } from './docker/docker-adapter';
import { getDocker } from './docker/client';
import { currentLockSelf, isLockHolderAlive, lockIdentity } from './project/lock-liveness';
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

const self = currentLockSelf();

export function createEnginePorts(events: EventSink, actor: string | null = null): EnginePorts {
  return {
    docker: createDockerPort(getDocker()),
    registry,
    project: createProjectPort(getEnv().deployDir, (holder) => isLockHolderAlive(holder, self), lockIdentity(self)),
    clock,
    events,
    actor,
  };
}
