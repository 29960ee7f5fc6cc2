import Docker from 'dockerode';
import { createProjectPort } from '@/server/project/project-port';
import { localDir } from '@/server/project/file-ops';
import type { Clock, DockerPort, EngineEvent, EnginePorts, ProjectPort, RegistryPort } from '@/server/engine/ports';
import { RegistryClient } from '@/server/registry/registry-client';
import { createDockerPort } from './docker-adapter';

// The engine's ports wired to the real Docker Engine, a real registry and a throwaway deployment
// directory, for integration tests and bench/ (not for the console: server/runtime.ts wires that).
// Other tests share this host, so the proxy publishes on loopback, on ports Docker picks.

export const testBedDocker = (): Docker => new Docker({ socketPath: '/var/run/docker.sock', timeout: 30_000 });

/** One process: a lock naming us is held by a live operation. */
export function testBedProjectPort(dir: string): ProjectPort {
  return createProjectPort(localDir(dir), (holder) => holder.pid === process.pid);
}

export const realClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
        return;
      }
      const t = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => {
        clearTimeout(t);
        reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      });
    }),
};

/** Publishes the proxy on 127.0.0.1 with a Docker-chosen port, so parallel stacks never collide. */
export function loopbackPorts(port: DockerPort): DockerPort {
  return {
    ...port,
    createContainer: (spec) => port.createContainer({ ...spec, ports: spec.ports.map((p) => ({ ...p, hostIp: '127.0.0.1', hostPort: 0 })) }),
  };
}

export const testBedRegistryPort: RegistryPort = {
  resolveVersion: (reg, version) => new RegistryClient({ registry: reg }).resolveVersion(version),
  listVersions: (reg) => new RegistryClient({ registry: reg }).listVersions(),
};

export type TimedEvent = EngineEvent & { at: number };

export interface TestBedPorts extends EnginePorts {
  /** Every engine event with the wall-clock time it was emitted. */
  timeline: TimedEvent[];
}

export function testBedPorts(docker: Docker, dir: string): TestBedPorts {
  const timeline: TimedEvent[] = [];
  return {
    docker: loopbackPorts(createDockerPort(docker)),
    registry: testBedRegistryPort,
    project: testBedProjectPort(dir),
    clock: realClock,
    events: { emit: (e) => timeline.push({ ...e, at: Date.now() }) },
    timeline,
  };
}

/** The proxy's published loopback URL, once the engine has started it. */
export async function proxyUrlOf(docker: Docker, projectId: string): Promise<string> {
  const proxy = await docker.getContainer(`${projectId}-proxy`).inspect();
  const hostPort = proxy.NetworkSettings.Ports['80/tcp']?.[0]?.HostPort;
  if (!hostPort) throw new Error(`${projectId}-proxy publishes no port 80`);
  return `http://127.0.0.1:${hostPort}/`;
}
