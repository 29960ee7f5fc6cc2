import type { Color, ContainerSpec, NetworkSpec, ServiceName, StackOverride, VolumeSpec } from '@/server/stack/types';

// The engine's view of the outside world. Adapters (server/docker, server/registry, server/project)
// implement these; unit tests implement them in memory. Nothing here names a library type.

export type HealthStatus = 'healthy' | 'unhealthy' | 'starting' | 'none';

export interface ContainerSummary {
  id: string;
  name: string;
  labels: Record<string, string>;
  /** Docker's State.Status: created, running, restarting, exited, paused, dead, removing. */
  state: string;
}

export interface ContainerDetails {
  id: string;
  name: string;
  /** The reference the container was created from (`repo:tag@sha256:…` when pinned). */
  image: string;
  /** The repository digest it runs, when Docker knows one. */
  digest: string | null;
  /** Container labels merged with image labels, as `docker inspect` shows them. */
  labels: Record<string, string>;
  state: string;
  running: boolean;
  restarting: boolean;
  health: HealthStatus;
  exitCode: number | null;
  restartCount: number;
  startedAt: string | null;
  /** Network name → DNS aliases the container answers to there. */
  networks: Record<string, { aliases: string[] }>;
  /**
   * The environment it was started with (Config.Env), read to tell which database it uses
   * (database-use.ts). It holds every `.env` secret: never put it in an event, a DTO or a log.
   * Absent when the adapter did not read it.
   */
  env?: Record<string, string>;
}

export interface PullProgress {
  image: string;
  /** Layer id; absent for whole-image messages ("Digest: …", "Status: …"). */
  layer?: string;
  status: string;
  current?: number;
  total?: number;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface DockerPort {
  /** All containers (running or not) carrying every given label. */
  listContainers(labels: Record<string, string>): Promise<ContainerSummary[]>;
  /** null when no container has that name or id. */
  inspectContainer(nameOrId: string): Promise<ContainerDetails | null>;
  /** Creates (not starts) the container, attached to `spec.network` with `spec.network.aliases`. */
  createContainer(spec: ContainerSpec): Promise<string>;
  startContainer(nameOrId: string): Promise<void>;
  /** SIGTERM, then SIGKILL after `timeoutSeconds`. Stopping a stopped container is not an error. */
  stopContainer(nameOrId: string, timeoutSeconds: number): Promise<void>;
  /** Gives a container a new name (its id, aliases and state stay). */
  renameContainer(nameOrId: string, newName: string): Promise<void>;
  /** Force-removes; removing a missing container is not an error. */
  removeContainer(nameOrId: string): Promise<void>;
  pullImage(ref: string, onProgress: (progress: PullProgress) => void, signal?: AbortSignal): Promise<void>;
  /**
   * Whether a pinned reference (`repo[:tag]@sha256:…`) is on this host under that repository and
   * digest, so pulling it again would fetch nothing. Always false for a reference without a
   * digest: a tag may have moved.
   */
  imagePresent(ref: string): Promise<boolean>;
  ensureNetwork(spec: NetworkSpec): Promise<void>;
  ensureVolumes(specs: VolumeSpec[]): Promise<void>;
  /** Whether a named volume exists. */
  volumeExists(name: string): Promise<boolean>;
  /** Removes named volumes; a missing one is not an error, one still in use is. */
  removeVolumes(names: string[]): Promise<void>;
  /** Removes a network; a missing one is not an error. */
  removeNetwork(name: string): Promise<void>;
  connectNetwork(network: string, nameOrId: string, aliases: string[]): Promise<void>;
  disconnectNetwork(network: string, nameOrId: string): Promise<void>;
  /** The last `tail` lines of stdout and stderr, in order, demultiplexed. */
  containerLogs(nameOrId: string, tail: number): Promise<LogLine[]>;
}

export interface ResolvedRelease {
  version: string;
  digests: Record<ServiceName, string>;
}

export interface RegistryPort {
  /** Every image of the stack must exist for `version`; otherwise a coded error. */
  resolveVersion(registry: string, version: string): Promise<ResolvedRelease>;
  /** Newest first. */
  listVersions(registry: string): Promise<string[]>;
}

export interface LockHandle {
  release(): Promise<void>;
}

/** What `.tale/deployment-lock` says, and whether its holder is gone (see server/project/lock-liveness.ts). */
export type LockInspection =
  | { state: 'absent' }
  | { state: 'held'; holder: { pid: number; startedAt: string; command: string }; stale: boolean }
  | { state: 'corrupt' };

/** One successful blue-green deploy or rollback, as recorded in `.tale/console-releases.json`. */
export interface ReleaseRecord {
  version: string;
  /** Repository digest of every image it ran, by service: a rollback pulls these, not the tag. */
  digests: Partial<Record<ServiceName, string>>;
  color: Color;
  kind: 'deploy' | 'rollback';
  /** Who started it (the console user's e-mail), null for the system. */
  actor: string | null;
  at: string;
  /** sha256 of the rendered environment and of compose.override.yml, to tell a config change apart. */
  envHash: string;
  overrideHash: string;
}

export interface ProjectPort {
  /** Absolute deployment directory. */
  readonly dir: string;
  readProjectId(): Promise<string>;
  readEnv(): Promise<Record<string, string>>;
  readOverride(): Promise<StackOverride>;
  readDeploymentColor(): Promise<{ color: Color | null; invalid: boolean }>;
  writeDeploymentColor(color: Color): Promise<void>;
  readPreviousVersion(): Promise<string | null>;
  writePreviousVersion(version: string): Promise<void>;
  /** Deletes `.tale/deployment-color` and `.tale/deployment-previous-version` (reset, docs/tale-cli.md#reset). */
  clearDeploymentState(): Promise<void>;
  /** Throws a coded error when another live holder has it. */
  acquireLock(command: string): Promise<LockHandle>;
  inspectLock(): Promise<LockInspection>;
  /** Removes the lock file if, read again, it is still the stale lock of `holder` (pid and startedAt). */
  removeStaleLock(holder: { pid: number; startedAt: string }): Promise<boolean>;
  /** Newest first; an unreadable file reads as none. */
  readReleases(): Promise<ReleaseRecord[]>;
  /** Prepends one record (atomic rewrite; the oldest beyond a cap are dropped). */
  recordRelease(record: ReleaseRecord): Promise<void>;
}

export interface Clock {
  now(): Date;
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export type StepName =
  | 'lock'
  | 'resolve'
  | 'plan'
  | 'pull'
  | 'infrastructure'
  | 'stateful'
  | 'cleanup-target'
  | 'start'
  | 'health'
  | 'switch'
  | 'retire'
  | 'cleanup'
  | 'reset'
  | 'reconcile'
  | 'database-copy'
  | 'backup'
  | 'pre-upgrade-backup'
  | 'preflight'
  | 'pre-restore-backup'
  | 'restore'
  | 'drill'
  | 'retention'
  | 'check'
  | 'release'
  | 'images'
  | 'done';

export type StepStatus = 'started' | 'progress' | 'succeeded' | 'failed' | 'skipped' | 'warning';

export interface EngineEvent {
  step: StepName;
  status: StepStatus;
  data?: Record<string, unknown>;
}

export interface EventSink {
  /** Called synchronously in the order things happen; must not throw. */
  emit(event: EngineEvent): void;
}

export interface EnginePorts {
  docker: DockerPort;
  registry: RegistryPort;
  project: ProjectPort;
  clock: Clock;
  events: EventSink;
  /** Who the operation runs for, recorded with a release; absent or null: the system. */
  actor?: string | null;
}
