import 'server-only';
import path from 'node:path';
import type { Clock, DockerPort, EnginePorts, EventSink, ProjectPort, RegistryPort } from './engine/ports';
import { eq } from 'drizzle-orm';
import { openDb, type Db } from './db/client';
import { environments } from './db/schema/environments';
import { createDockerClients, engineStatus, type DockerClients, type EngineStatus } from './docker/client';
import { createDockerPort } from './docker/docker-adapter';
import { execInContainer, type ExecResult } from './docker/container-exec';
import { containerLogSource } from './docker/container-logs';
import { createStatsPort, type ContainerStatsPort } from './docker/container-stats';
import { dockerExecRunner, type ExecRunner } from './docker/exec-stream';
import { processEnv, type Env } from './env';
import { abortableSleep, type LogSource } from './logs/logs';
import { createOperations, createOperationsLive, type Operations, type OperationsLive } from './operations/runner';
import { LOCAL_ENVIRONMENT_ID, type EnvironmentColour } from '@/lib/schemas/environments';
import { currentLockSelf, isLockHolderAlive, lockIdentity, type LockSelf } from './project/lock-liveness';
import { createProjectPort } from './project/project-port';
import { localDir, type ProjectDir } from './project/file-ops';
import type { DeploymentLock } from './project/state-files';
import { createWriteQueue, type WriteQueue } from './project/write-queue';
import { RegistryClient } from './registry/registry-client';
import type { BackupRepository, VolumeArchiver } from './backup/ports';
import { readProjectFiles } from './backup/project-files';
import { createResticRepository } from './backup/restic';
import { targetLocation } from './backup/target-store';
import { createVolumeArchiver } from './docker/volume-archive';
import type { DrillSandbox } from './backup/drill';
import { createDrillSandbox } from './docker/drill-sandbox';
import { createNetworkProbe, type NetworkProbe } from './docker/network-probe';
import { createOneShotRunner, type OneShotRunner } from './docker/one-shot-stream';
import { createAlerts, type Alerts } from './alerts/alerts';
import { operationAlert } from './alerts/events';
import { createPreflightDocker } from './docker/preflight-docker';
import { createPreflightPort } from './preflight/host-port';
import type { PreflightPort } from './preflight/types';
import { createDiskPort, layerBytes } from './docker/disk-usage';
import type { DiskPort } from './engine/image-prune-plan';
import { createContainerEventSource, type ContainerEventSource } from './docker/container-events';
import { createWatch, type Watch } from './watch/watcher';
import { alertCondition } from './watch/alert-condition';

// The composition root. Everything the services use that does I/O or holds state is built here,
// once per process, and handed to them as a `Runtime`: no service reaches for a global. A unit
// test builds its own with createRuntime() from fake parts.

/** What the services need from the Docker Engine besides the engine's own port. */
export interface DockerHost {
  status(): Promise<EngineStatus>;
  stats: ContainerStatsPort;
  /** `docker exec` with the output captured, for short commands (the Convex admin key). */
  run(container: string, argv: string[], timeoutMs?: number): Promise<ExecResult>;
  /** `docker exec` as streams, for long ones (the database copy). */
  exec: ExecRunner;
  /** A command run once from a network in a short-lived container (the database wizard's sign-in from the stack's network). */
  probe: NetworkProbe;
  /** Bytes of every image layer on the host (`docker system df` LayersSize): the pre-pull's disk cost. */
  layerBytes(): Promise<number>;
  /** Disk usage (`docker system df -v`) and the removal of one image name (the disk page). */
  disk: DiskPort;
  /** Docker's container events, for the health watcher. */
  events: ContainerEventSource;
}

/** The backup repository and what a backup reads besides the databases. */
export interface Backups {
  repo: BackupRepository;
  volumes: VolumeArchiver;
  readProjectFiles(): Promise<Record<string, Buffer>>;
  /** The restore drill's throwaway PostgreSQL (server/backup/drill.ts). */
  sandbox: DrillSandbox;
  /**
   * A repository from a target stored under `dataDir` (target-store.ts) with its own password
   * file: the one a fresh host is offered, staged apart from the console's own setting.
   */
  repositoryAt(dataDir: string, passwordFile: string): BackupRepository;
  /** pg_dump and psql against an external PostgreSQL from the stack's network (server/docker/one-shot-stream.ts). */
  oneShot?: OneShotRunner;
}

/** An environment's name for its alerts' words; undefined for the local one and for one removed. */
function environmentNameOf(db: Db, id: string): string | undefined {
  if (id === LOCAL_ENVIRONMENT_ID) return undefined;
  return db.select({ name: environments.name }).from(environments).where(eq(environments.id, id)).get()?.name;
}

/** Which environment a runtime acts on (docs/environments.md): every page and route picks one. */
export type RuntimeEnvironment = {
  id: string;
  name: string;
  colour: EnvironmentColour;
  kind: 'local' | 'ssh' | 'tcp';
  production: boolean;
  /** The Docker host's address, where its published ports answer (a remote one's); absent for the local one: 127.0.0.1. */
  host?: string;
};

export const LOCAL_ENVIRONMENT: RuntimeEnvironment = { id: LOCAL_ENVIRONMENT_ID, name: 'Local', colour: 'slate', kind: 'local', production: false };

export interface Runtime {
  readonly environment: RuntimeEnvironment;
  readonly env: Env;
  readonly db: Db;
  readonly clock: Clock;
  readonly docker: DockerPort;
  readonly host: DockerHost;
  readonly registry: RegistryPort;
  readonly project: ProjectPort;
  /** The deployment directory's files, for the services that read and write them (.env, the override, tale.json). */
  readonly files: ProjectDir;
  readonly logs: LogSource;
  readonly backups: Backups;
  /** The host's figures the preflight checks read (server/preflight, docs/preflight.md). */
  readonly preflight: PreflightPort;
  readonly operations: Operations;
  /** The alerts hub: publish an event, send a test, the delivery worker (server/alerts/alerts.ts). */
  readonly alerts: Alerts;
  /** The single writer of the deployment directory's files (server/project/write-queue.ts). */
  readonly writes: WriteQueue;
  /** Short-lived answers services keep per process (registry tags); a test's runtime starts empty. */
  readonly cache: Map<string, unknown>;
  /**
   * The health watcher (server/watch/watcher.ts), started at boot: `rt.watch.onIncident(listener)`
   * hears every incident it records (alerts subscribe there).
   */
  readonly watch: Watch;
  /** The operations bus this runtime shares with every other environment's (SharedParts). */
  readonly live: OperationsLive;
  /** The engine's ports, with an event sink and actor for one job (none: a read-only look). */
  ports(events?: EventSink, actor?: string | null): EnginePorts;
}

export type RuntimeParts = Omit<Runtime, 'environment' | 'operations' | 'alerts' | 'writes' | 'cache' | 'ports' | 'watch' | 'live'> & { environment?: RuntimeEnvironment };

/** What another environment's runtime shares with the local one: one alerts hub, one operations bus. */
export type SharedParts = { alerts: Alerts; live: OperationsLive };

const quiet: EventSink = { emit: () => {} };

/** Assembles a runtime from its parts: the operations system and the write queue are its own. */
export function createRuntime(parts: RuntimeParts, shared?: SharedParts): Runtime {
  const environment = parts.environment ?? LOCAL_ENVIRONMENT;
  const ports = (events: EventSink = quiet, actor: string | null = null): EnginePorts => ({
    docker: parts.docker,
    registry: parts.registry,
    project: parts.project,
    clock: parts.clock,
    events,
    actor,
  });
  const alerts =
    shared?.alerts ??
    createAlerts({ db: parts.db, clock: parts.clock, publicUrl: parts.env.publicUrl, healthThresholdMs: parts.env.alerts.healthThresholdMs, environmentName: (id) => environmentNameOf(parts.db, id) });
  const live = shared?.live ?? createOperationsLive();
  // Every operation's end is one alert (or none: operationAlert); publishing only queues it.
  const onFinish = (op: Parameters<typeof operationAlert>[0]) => {
    const event = operationAlert(op);
    if (event) alerts.publish(event);
  };
  const watch = createWatch({
    db: parts.db,
    clock: parts.clock,
    docker: parts.docker,
    events: parts.host.events,
    stats: parts.host.stats,
    project: parts.project,
    enabled: parts.env.healthWatch,
    environmentId: environment.id,
  });
  // A container unhealthy or restarting for longer than the threshold is an alert (server/alerts).
  watch.onIncident((incident) => {
    const condition = alertCondition(incident);
    if (condition && incident.service) alerts.observeHealth({ service: incident.service, container: incident.container, condition, at: new Date(incident.at), environmentId: environment.id });
  });
  const operations = createOperations({ db: parts.db, ports, onFinish, environmentId: environment.id, live });
  return { ...parts, environment, ports, alerts, operations, live, writes: createWriteQueue(), cache: new Map(), watch };
}

export const systemClock: Clock = {
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

/** Where one environment's parts come from: its Docker clients and its deployment directory. */
export type EnvironmentWiring = {
  env: Env;
  db: Db;
  environment: RuntimeEnvironment;
  clients: DockerClients;
  files: ProjectDir;
  /** Decides whether the holder of the deployment lock still runs (server/project/lock-liveness.ts). */
  lockSelf: LockSelf;
  /** Replaces that decision (a remote environment's, server/operations/environment-recovery.ts); isLockHolderAlive when left out. */
  lockAlive?: (holder: DeploymentLock) => boolean;
};

/** The parts of one environment's runtime, local or remote: the same adapters over its own engine and files. */
export function environmentParts({ env, db, environment, clients, files, lockSelf, lockAlive }: EnvironmentWiring): RuntimeParts {
  const stats = createStatsPort(clients.api);
  const probe = createNetworkProbe(clients.streaming);
  const project = createProjectPort(files, lockAlive ?? ((holder) => isLockHolderAlive(holder, lockSelf)), lockIdentity(lockSelf));
  return {
    environment,
    env,
    db,
    clock: systemClock,
    docker: createDockerPort(clients.api),
    host: {
      status: () => engineStatus(clients.api),
      stats,
      run: (container, argv, timeoutMs) => execInContainer(clients.api, container, argv, timeoutMs),
      exec: dockerExecRunner(clients.streaming),
      // No idle timeout: the probe's own deadline ends a wait for a container that says nothing.
      probe,
      layerBytes: () => layerBytes(clients.api),
      disk: createDiskPort(clients.api),
      // The event stream is quiet for hours on a calm stack: no idle timeout.
      events: createContainerEventSource(clients.streaming),
    },
    registry: {
      resolveVersion: (prefix, version) => new RegistryClient({ registry: prefix }).resolveVersion(version),
      listVersions: (prefix) => new RegistryClient({ registry: prefix }).listVersions(),
    },
    project,
    files,
    logs: { files, follower: { ...containerLogSource(clients), sleep: abortableSleep } },
    backups: {
      repo: createResticRepository({
        binary: env.backup.restic,
        repository: env.backup.repository,
        location: targetLocation(env.dataDir, env.backup.repository),
        passwordFile: env.backup.passwordFile,
        cacheDir: env.backup.cacheDir,
      }),
      volumes: createVolumeArchiver(clients.streaming),
      readProjectFiles: () => readProjectFiles(files),
      sandbox: createDrillSandbox(clients.api, () => project.readProjectId().catch(() => null)),
      repositoryAt: (dataDir, passwordFile) =>
        createResticRepository({
          binary: env.backup.restic,
          repository: path.join(dataDir, 'unset'),
          location: targetLocation(dataDir, path.join(dataDir, 'unset')),
          passwordFile,
          cacheDir: env.backup.cacheDir,
        }),
      oneShot: createOneShotRunner(clients.streaming),
    },
    preflight: createPreflightPort(env, createPreflightDocker(clients.api, stats, probe), () => systemClock.now(), () => project.readProjectId().catch(() => null)),
  };
}

function processRuntime(): Runtime {
  const env = processEnv();
  return createRuntime(
    environmentParts({
      env,
      db: openDb(path.join(env.dataDir, 'console.db')).db,
      environment: LOCAL_ENVIRONMENT,
      clients: createDockerClients(env.docker),
      files: localDir(env.deployDir),
      lockSelf: currentLockSelf(),
    }),
  );
}

// Next loads a module once per bundle (pages, actions, route handlers, instrumentation): the one
// runtime hangs off globalThis so all of them share one database connection, one operations bus
// (a stream opened by a route handler hears the job an action started) and one write queue.
const shared = globalThis as unknown as { __taleRuntime?: Runtime };

/** This process's runtime, built on first use. Throws ConfigError when the configuration is bad. */
export function runtime(): Runtime {
  shared.__taleRuntime ??= processRuntime();
  return shared.__taleRuntime;
}
