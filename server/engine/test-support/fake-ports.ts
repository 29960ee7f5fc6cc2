import { createHash } from 'node:crypto';
import type { Color, ContainerSpec, NetworkSpec, ServiceName, StackOverride, VolumeSpec } from '@/server/stack/types';
import { ALL_SERVICES } from '@/server/stack/types';
import type {
  Clock,
  ContainerDetails,
  ContainerSummary,
  DockerPort,
  EngineEvent,
  EnginePorts,
  EventSink,
  HealthStatus,
  LockHandle,
  LockInspection,
  LogLine,
  ProjectPort,
  PullProgress,
  RegistryPort,
  ReleaseRecord,
  ResolvedRelease,
} from '../ports';

// In-memory stand-ins for the engine's ports. The fake Docker models only what the engine relies
// on (state, health over successive inspections, restarts, aliases) and records every mutating
// call, so tests can assert order and what was never touched.

export type Behaviour =
  | { kind: 'healthy'; afterPolls?: number }
  | { kind: 'never-healthy' }
  /** Turns unhealthy, and healthy again at `recoversAfterPolls` when given (a loaded host). */
  | { kind: 'unhealthy'; afterPolls: number; recoversAfterPolls?: number }
  | { kind: 'exits'; afterPolls: number; exitCode: number }
  | { kind: 'restarts'; afterPolls: number };

interface FakeContainer {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  running: boolean;
  exitCode: number | null;
  health: HealthStatus;
  restartCount: number;
  startedAt: string | null;
  networks: Record<string, string[]>;
  polls: number;
  behaviour: Behaviour;
  stopGraceUsed: number | null;
  env: Record<string, string>;
}

/** `repo[:tag]@sha256:…` → `repo@sha256:…`; null for a reference without a digest. */
function pinnedName(ref: string): string | null {
  const at = ref.indexOf('@');
  if (at < 0) return null;
  const named = ref.slice(0, at);
  const slash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  return `${colon > slash ? named.slice(0, colon) : named}${ref.slice(at)}`;
}

export class FakeDocker implements DockerPort {
  readonly containers = new Map<string, FakeContainer>();
  /** Mutating calls in order, e.g. `create p-platform-blue`, `stop p-platform-blue 30`. */
  readonly calls: string[] = [];
  /** Times the shared name was given to a container that was not healthy. */
  readonly aliasViolations: string[] = [];
  readonly networks = new Set<string>();
  readonly volumes = new Set<string>();
  /** Images on the host by `repo@sha256:…`, as Docker's reference store keeps a pull by digest. */
  readonly images = new Set<string>();
  behaviourFor: (spec: ContainerSpec) => Behaviour = () => ({ kind: 'healthy', afterPolls: 1 });
  logLines = 80;
  private seq = 0;

  constructor(private readonly clock: Clock) {}

  private get(name: string): FakeContainer | undefined {
    return this.containers.get(name) ?? [...this.containers.values()].find((c) => c.id === name);
  }

  private checkShared(c: FakeContainer, aliases: string[]): void {
    const shared = aliases.some((a) => a === 'platform' || a === 'rag' || a === 'crawler');
    if (shared && !(c.running && c.health === 'healthy')) this.aliasViolations.push(c.name);
  }

  private advance(c: FakeContainer): void {
    if (!c.running) return;
    c.polls += 1;
    const b = c.behaviour;
    switch (b.kind) {
      case 'healthy':
        if (c.polls >= (b.afterPolls ?? 1)) c.health = 'healthy';
        return;
      case 'never-healthy':
        return;
      case 'unhealthy':
        if (b.recoversAfterPolls !== undefined && c.polls >= b.recoversAfterPolls) c.health = 'healthy';
        else if (c.polls >= b.afterPolls) c.health = 'unhealthy';
        return;
      case 'exits':
        if (c.polls >= b.afterPolls) {
          c.running = false;
          c.exitCode = b.exitCode;
        }
        return;
      case 'restarts':
        if (c.polls >= b.afterPolls) c.restartCount += 1;
        return;
    }
  }

  async listContainers(labels: Record<string, string>): Promise<ContainerSummary[]> {
    return [...this.containers.values()]
      .filter((c) => Object.entries(labels).every(([k, v]) => c.labels[k] === v))
      .map((c) => ({ id: c.id, name: c.name, labels: { ...c.labels }, state: c.running ? 'running' : 'exited' }));
  }

  async inspectContainer(nameOrId: string): Promise<ContainerDetails | null> {
    const c = this.get(nameOrId);
    if (!c) return null;
    this.advance(c);
    const digest = c.image.includes('@') ? (c.image.split('@')[1] ?? null) : null;
    return {
      id: c.id,
      name: c.name,
      image: c.image,
      digest,
      labels: { ...c.labels },
      state: c.running ? 'running' : c.startedAt ? 'exited' : 'created',
      running: c.running,
      restarting: false,
      health: c.startedAt ? c.health : 'none',
      exitCode: c.exitCode,
      restartCount: c.restartCount,
      startedAt: c.startedAt,
      networks: Object.fromEntries(Object.entries(c.networks).map(([n, a]) => [n, { aliases: [...a] }])),
      env: { ...c.env },
    };
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    if (this.containers.has(spec.name)) throw new Error(`Conflict: ${spec.name} exists`);
    this.calls.push(`create ${spec.name}`);
    const id = `id${++this.seq}`;
    const c: FakeContainer = {
      id,
      name: spec.name,
      image: spec.image,
      labels: { ...spec.labels },
      running: false,
      exitCode: null,
      health: 'starting',
      restartCount: 0,
      startedAt: null,
      networks: { [spec.network.network]: [...spec.network.aliases] },
      polls: 0,
      behaviour: this.behaviourFor(spec),
      stopGraceUsed: null,
      env: { ...spec.env },
    };
    this.containers.set(spec.name, c);
    return id;
  }

  async startContainer(nameOrId: string): Promise<void> {
    const c = this.get(nameOrId);
    if (!c) throw new Error(`No such container: ${nameOrId}`);
    this.calls.push(`start ${c.name}`);
    c.running = true;
    c.health = 'starting';
    c.startedAt = this.clock.now().toISOString();
    for (const aliases of Object.values(c.networks)) this.checkShared(c, aliases);
  }

  async stopContainer(nameOrId: string, timeoutSeconds: number): Promise<void> {
    const c = this.get(nameOrId);
    if (!c) throw new Error(`No such container: ${nameOrId}`);
    this.calls.push(`stop ${c.name} ${timeoutSeconds}`);
    c.running = false;
    c.stopGraceUsed = timeoutSeconds;
  }

  async renameContainer(nameOrId: string, newName: string): Promise<void> {
    const c = this.get(nameOrId);
    if (!c) throw new Error(`No such container: ${nameOrId}`);
    if (this.containers.has(newName)) throw new Error(`Conflict: ${newName} exists`);
    this.calls.push(`rename ${c.name} ${newName}`);
    this.containers.delete(c.name);
    c.name = newName;
    this.containers.set(newName, c);
  }

  async removeContainer(nameOrId: string): Promise<void> {
    const c = this.get(nameOrId);
    this.calls.push(`remove ${c?.name ?? nameOrId}`);
    if (c) this.containers.delete(c.name);
  }

  async pullImage(ref: string, onProgress: (p: PullProgress) => void): Promise<void> {
    this.calls.push(`pull ${ref}`);
    onProgress({ image: ref, layer: 'abc123', status: 'Downloading', current: 50, total: 100 });
    onProgress({ image: ref, layer: 'abc123', status: 'Pull complete' });
    const pinned = pinnedName(ref);
    if (pinned) this.images.add(pinned);
  }

  async imagePresent(ref: string): Promise<boolean> {
    const pinned = pinnedName(ref);
    return pinned !== null && this.images.has(pinned);
  }

  async ensureNetwork(spec: NetworkSpec): Promise<void> {
    if (!this.networks.has(spec.name)) this.calls.push(`network ${spec.name}`);
    this.networks.add(spec.name);
  }

  async ensureVolumes(specs: VolumeSpec[]): Promise<void> {
    for (const v of specs) {
      if (!this.volumes.has(v.name)) this.calls.push(`volume ${v.name}`);
      this.volumes.add(v.name);
    }
  }

  async volumeExists(name: string): Promise<boolean> {
    return this.volumes.has(name);
  }

  async removeVolumes(names: string[]): Promise<void> {
    for (const name of names) {
      this.calls.push(`remove-volume ${name}`);
      this.volumes.delete(name);
    }
  }

  async removeNetwork(name: string): Promise<void> {
    const inUse = [...this.containers.values()].some((c) => name in c.networks);
    if (inUse) throw new Error(`network ${name} has active endpoints`);
    this.calls.push(`remove-network ${name}`);
    this.networks.delete(name);
  }

  async connectNetwork(network: string, nameOrId: string, aliases: string[]): Promise<void> {
    const c = this.get(nameOrId);
    if (!c) throw new Error(`No such container: ${nameOrId}`);
    this.calls.push(`connect ${c.name} ${aliases.join(',')}`);
    this.checkShared(c, aliases);
    c.networks[network] = [...aliases];
  }

  async disconnectNetwork(network: string, nameOrId: string): Promise<void> {
    const c = this.get(nameOrId);
    if (!c) throw new Error(`No such container: ${nameOrId}`);
    this.calls.push(`disconnect ${c.name}`);
    delete c.networks[network];
  }

  async containerLogs(nameOrId: string, tail: number): Promise<LogLine[]> {
    const all: LogLine[] = Array.from({ length: this.logLines }, (_, i) => ({
      stream: i % 2 === 0 ? 'stdout' : 'stderr',
      text: `${nameOrId} line ${i + 1}`,
    }));
    return all.slice(-tail);
  }

  /** Calls that touched a container, for "never touched" assertions. */
  callsFor(name: string): string[] {
    return this.calls.filter((c) => c.split(' ')[1] === name);
  }
}

export class FakeClock implements Clock {
  private t = Date.parse('2026-01-01T00:00:00Z');
  now(): Date {
    return new Date(this.t);
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
    this.t += ms;
    await Promise.resolve();
  }
  elapsedSince(start: Date): number {
    return this.t - start.getTime();
  }
}

export const digestOf = (version: string, service: ServiceName): string =>
  `sha256:${createHash('sha256').update(`${version}/${service}`).digest('hex')}`;

export class FakeRegistry implements RegistryPort {
  constructor(public versions: string[]) {}
  async resolveVersion(_registry: string, version: string): Promise<ResolvedRelease> {
    if (!this.versions.includes(version)) throw Object.assign(new Error(`Version ${version} is not available`), { code: 'REGISTRY_TAG_NOT_FOUND' });
    return { version, digests: Object.fromEntries(ALL_SERVICES.map((s) => [s, digestOf(version, s)])) as Record<ServiceName, string> };
  }
  async listVersions(): Promise<string[]> {
    return [...this.versions].reverse();
  }
}

export class FakeProject implements ProjectPort {
  readonly dir = '/srv/tale';
  /** Raw text of .tale/deployment-color, null when missing. */
  colorFile: string | null = null;
  previousVersion: string | null = null;
  lockHeld = false;
  /** A lock left by someone else (e.g. a killed console), as `inspectLock` reports it. */
  foreignLock: LockInspection = { state: 'absent' };
  releases: ReleaseRecord[] = [];
  env: Record<string, string> = { HEALTH_CHECK_TIMEOUT: '120', DRAIN_TIMEOUT: '30', POSTGRES_PASSWORD: 'x' };
  override: StackOverride = {};
  readonly writes: string[] = [];

  constructor(public projectId = 'acme') {}

  async readProjectId(): Promise<string> {
    return this.projectId;
  }
  async readEnv(): Promise<Record<string, string>> {
    return { ...this.env };
  }
  async readOverride(): Promise<StackOverride> {
    return this.override;
  }
  async readDeploymentColor(): Promise<{ color: Color | null; invalid: boolean }> {
    if (this.colorFile === null) return { color: null, invalid: false };
    const t = this.colorFile.trim();
    return t === 'blue' || t === 'green' ? { color: t, invalid: false } : { color: null, invalid: true };
  }
  async writeDeploymentColor(color: Color): Promise<void> {
    this.writes.push(`color ${color}`);
    this.colorFile = color;
  }
  async readPreviousVersion(): Promise<string | null> {
    return this.previousVersion;
  }
  async writePreviousVersion(version: string): Promise<void> {
    this.writes.push(`previous ${version}`);
    this.previousVersion = version;
  }
  async clearDeploymentState(): Promise<void> {
    this.writes.push('clear state');
    this.colorFile = null;
    this.previousVersion = null;
  }
  async inspectLock(): Promise<LockInspection> {
    return this.foreignLock;
  }
  async removeStaleLock(holder: { pid: number; startedAt: string }): Promise<boolean> {
    const l = this.foreignLock;
    if (l.state !== 'held' || !l.stale || l.holder.pid !== holder.pid || l.holder.startedAt !== holder.startedAt) return false;
    this.writes.push(`remove lock ${holder.pid}`);
    this.foreignLock = { state: 'absent' };
    return true;
  }
  async readReleases(): Promise<ReleaseRecord[]> {
    return [...this.releases];
  }
  async recordRelease(record: ReleaseRecord): Promise<void> {
    this.writes.push(`release ${record.version}`);
    this.releases.unshift(record);
  }
  async acquireLock(command: string): Promise<LockHandle> {
    if (this.foreignLock.state === 'corrupt' || (this.foreignLock.state === 'held' && !this.foreignLock.stale)) {
      throw Object.assign(new Error('Deployment already in progress'), { code: 'LOCK_HELD' });
    }
    if (this.lockHeld) throw Object.assign(new Error('Deployment already in progress'), { code: 'LOCK_HELD' });
    this.lockHeld = true;
    this.writes.push(`lock ${command}`);
    return {
      release: async () => {
        this.lockHeld = false;
      },
    };
  }
}

export class RecordingSink implements EventSink {
  readonly events: EngineEvent[] = [];
  emit(event: EngineEvent): void {
    this.events.push(event);
  }
  /** `step:status` of every non-progress event, for order assertions. */
  outline(): string[] {
    return this.events.filter((e) => e.status !== 'progress').map((e) => `${e.step}:${e.status}`);
  }
}

export interface FakeWorld extends EnginePorts {
  docker: FakeDocker;
  registry: FakeRegistry;
  project: FakeProject;
  clock: FakeClock;
  events: RecordingSink;
}

export function fakeWorld(versions = ['1.0.0', '2.0.0', '3.0.0']): FakeWorld {
  const clock = new FakeClock();
  return {
    clock,
    docker: new FakeDocker(clock),
    registry: new FakeRegistry(versions),
    project: new FakeProject(),
    events: new RecordingSink(),
  };
}
