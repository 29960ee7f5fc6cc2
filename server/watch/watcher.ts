import type { HealthIncidentDto } from '@/lib/dto/health';
import type { Db } from '../db/client';
import type { ContainerEvent, ContainerEventSource } from '../docker/container-events';
import type { ContainerStatsPort } from '../docker/container-stats';
import type { Clock, DockerPort, ProjectPort } from '../engine/ports';
import { ProjectError } from '../project/project-error';
import { colorProject, statefulProject } from '../stack/stack-names';
import { classify, gapOnConnect, identify, KILL_MEMORY_MS, reconcile, type IncidentInput, type ObservedContainer } from './classify';
import { SAMPLE_INTERVAL_MS } from './downsample';
import { amendLatest, downsample, incidentById, insertIncident, insertSamples, lastKnownStates, readHeartbeat, writeHeartbeat } from './store';

// The health watcher: a service of the runtime, started once at boot (server/bootstrap.ts). It
// listens to Docker's event stream for the stack's containers and records each health change,
// die, kill, OOM kill, start, restart and stop; every 10 s it samples their CPU and memory and
// writes a heartbeat. When the stream breaks (the engine restarted or went away) it reconnects
// with backoff; on every connect, and at the console's start, it records a `gap` from its last
// heartbeat and reconciles the history with what Docker shows now, so nothing that happened while
// it was deaf goes unmarked (docs/architecture.md#health-history).

export type IncidentListener = (incident: HealthIncidentDto) => void;

export interface Watch {
  /** Starts watching (once; later calls do nothing). */
  start(): void;
  /** Stops watching and closes the stream; the next start marks the time in between as a gap. */
  stop(): Promise<void>;
  /**
   * Calls `listener` with every incident the watcher records, gaps included, after it is stored
   * (not `seen` rows: a container's state when first looked at is not news).
   * A die, kill or start is announced 2 s late, with its final kind: Docker names a `docker stop`
   * (or a restart) only in the event after the die (or the start). Answers the unsubscribe
   * function. A listener's error is logged and never stops the watcher.
   */
  onIncident(listener: IncidentListener): () => void;
  status(): { enabled: boolean; listening: boolean; lastHeartbeat: Date | null };
}

export type WatchDeps = {
  db: Db;
  clock: Clock;
  docker: DockerPort;
  events: ContainerEventSource;
  stats: ContainerStatsPort;
  project: ProjectPort;
  enabled: boolean;
  /** The environment whose stack this watches (health_incidents.environment_id); 'local' when left out. */
  environmentId?: string;
  log?: (message: string) => void;
  /** Tests shorten these. */
  sampleMs?: number;
  maxBackoffMs?: number;
};

/** How late a die, kill or start is announced, so a stop or restart right after it can rename it. */
export const SETTLE_MS = 2_000;
const DOWNSAMPLE_EVERY_MS = 10 * 60_000;
const NO_PROJECT_WAIT_MS = 10_000;

export function createWatch(deps: WatchDeps): Watch {
  const { db, clock } = deps;
  const env = deps.environmentId ?? 'local';
  const log = deps.log ?? ((m: string) => console.log(`[tale-console] ${m}`));
  const sampleMs = deps.sampleMs ?? SAMPLE_INTERVAL_MS;
  const maxBackoff = deps.maxBackoffMs ?? 30_000;
  const listeners = new Set<IncidentListener>();
  let started = false;
  let listening = false;
  let abort: AbortController | null = null;
  let loop: Promise<void> | null = null;
  const kills = new Map<string, { signal: string; at: number }>();

  const notify = (incident: HealthIncidentDto) => {
    for (const l of listeners) {
      try {
        l(incident);
      } catch (err) {
        log(`A health incident listener failed: ${(err as Error).message}`);
      }
    }
  };
  const record = (input: IncidentInput) => {
    const stored = insertIncident(db, env, input);
    if (stored.kind === 'seen') return; // a first look, not news
    if (stored.kind === 'die' || stored.kind === 'kill' || stored.kind === 'start') {
      setTimeout(() => {
        const now = incidentById(db, stored.id);
        if (now) notify(now);
      }, SETTLE_MS).unref();
    } else notify(stored);
  };

  const handle = (e: ContainerEvent, projectId: string) => {
    const kill = kills.get(e.name);
    const lastSignal = kill && e.at - kill.at <= KILL_MEMORY_MS ? kill.signal : null;
    const c = classify(e, projectId, lastSignal);
    if (!c) return;
    if ('remember' in c) kills.set(c.remember.container, { signal: c.remember.signal, at: e.at });
    else if ('insert' in c) {
      if (e.action === 'die') kills.delete(e.name);
      record(c.insert);
    } else {
      const a = c.amend;
      const amended = amendLatest(db, env, a.container, a.kinds, new Date(e.at - a.withinMs), a.to);
      if (!amended) record(a.fallback);
    }
  };

  const projectContainers = async (projectId: string) => {
    const lists = await Promise.all([statefulProject(projectId), colorProject(projectId, 'blue'), colorProject(projectId, 'green')].map((p) => deps.docker.listContainers({ 'com.docker.compose.project': p })));
    return lists.flat().filter((c) => identify(c.labels, projectId));
  };

  const reconcileNow = async (projectId: string) => {
    const observed: ObservedContainer[] = [];
    for (const c of await projectContainers(projectId)) {
      const d = await deps.docker.inspectContainer(c.id);
      if (d) observed.push({ name: c.name, labels: c.labels, running: d.running && !d.restarting, health: d.health, exitCode: d.exitCode });
    }
    for (const row of reconcile(observed, lastKnownStates(db, env), projectId, clock.now())) record(row);
  };

  const sample = async (projectId: string) => {
    const running = (await projectContainers(projectId)).filter((c) => c.state === 'running');
    const at = clock.now();
    const readings = await Promise.all(
      running.map(async (c) => {
        const who = identify(c.labels, projectId)!;
        const s = await deps.stats.stats(c.id).catch(() => null);
        return s ? { container: c.name, service: who.service, color: who.color, cpuPercent: s.cpuPercent, memoryBytes: s.memoryBytes } : null;
      }),
    );
    insertSamples(db, env, at, readings.filter((r) => r !== null));
  };

  /** One connection: listens until the stream breaks or the watcher stops. */
  /** Answers true when it ended because the project changed (not deaf: the next connect marks no gap). */
  const session = async (projectId: string, signal: AbortSignal, deaf: boolean, connected: () => void): Promise<boolean> => {
    let queue: ContainerEvent[] | null = [];
    let broke: (err: Error | null) => void = () => {};
    const ended = new Promise<Error | null>((resolve) => (broke = resolve));
    const conn = await deps.events.open(
      (e) => (queue ? queue.push(e) : handle(e, projectId)),
      (err) => broke(err),
    );
    try {
      listening = true;
      connected();
      // Listening from here: what happened since the last heartbeat may have been missed.
      const gap = deaf ? gapOnConnect(readHeartbeat(db, env), clock.now()) : null;
      if (gap) record(gap);
      writeHeartbeat(db, env, clock.now());
      await reconcileNow(projectId);
      // Events that came during the reconcile happened after what it saw.
      for (const e of queue) handle(e, projectId);
      queue = null;
      let lastDownsample = 0;
      let next = clock.now().getTime() + sampleMs;
      for (;;) {
        // Every sampleMs from the connect, however long a sampling took (Docker needs a second or two per container).
        const wait = Math.max(0, next - clock.now().getTime());
        next = Math.max(next, clock.now().getTime()) + sampleMs;
        const tick = clock.sleep(wait, signal).then(() => 'tick' as const, () => 'stop' as const);
        const what = await Promise.race([tick, ended.then((err) => ({ err }))]);
        if (what === 'stop') return false;
        if (typeof what === 'object') {
          log(`The Docker event stream ended${what.err ? ` (${what.err.message})` : ''}; watching again when the engine answers.`);
          return false;
        }
        // A reset and a new `tale init` give the directory another project: watch that one. Not
        // a break: the heartbeat says it listened until now. A directory that cannot be read at
        // all (a remote host gone before its event stream said so) is a break: no heartbeat, so
        // the reconnect's gap starts where the watcher last saw the host, not at this failure.
        const now = await deps.project.readProjectId().then(
          (id) => id,
          (err: Error) => (err instanceof ProjectError ? null : err),
        );
        if (now instanceof Error) {
          log(`The health watcher cannot read the deployment directory (${now.message}); watching again when it answers.`);
          return false;
        }
        if (now !== projectId) {
          writeHeartbeat(db, env, clock.now());
          return true;
        }
        await sample(projectId).catch((err: Error) => log(`Could not sample the containers' CPU and memory: ${err.message}`));
        writeHeartbeat(db, env, clock.now());
        if (clock.now().getTime() - lastDownsample >= DOWNSAMPLE_EVERY_MS) {
          downsample(db, env, clock.now().getTime());
          lastDownsample = clock.now().getTime();
        }
      }
    } finally {
      listening = false;
      conn.close();
    }
  };

  const run = async (signal: AbortSignal) => {
    const first = Math.min(1000, maxBackoff);
    let backoff = first;
    let said = '';
    let listenedOnce = false;
    // At start, and after a break, what happened since the last heartbeat may have been missed.
    let deaf = true;
    while (!signal.aborted) {
      let projectId: string;
      try {
        projectId = await deps.project.readProjectId();
      } catch (err) {
        if (!(err instanceof ProjectError)) {
          // The directory cannot be read at all (a remote host gone, its SFTP connection lost): as
          // deaf as a broken event stream, so no heartbeat, and the reconnect records the gap.
          deaf = true;
          const message = (err as Error).message;
          if (message !== said) log(`The health watcher cannot read the deployment directory (${message}); trying again.`);
          said = message;
          await clock.sleep(backoff, signal).catch(() => {});
          backoff = Math.min(maxBackoff, backoff * 2);
          continue;
        }
        // No project (an empty deployment directory): nothing to watch until it is initialised, and
        // nothing missed once this process has listened (its start's gap, if any, is recorded).
        if (listenedOnce) writeHeartbeat(db, env, clock.now());
        await clock.sleep(NO_PROJECT_WAIT_MS, signal).catch(() => {});
        continue;
      }
      try {
        // An engine that answered again starts the backoff over.
        deaf = !(await session(projectId, signal, deaf, () => ((backoff = first), (said = ''), (listenedOnce = true))));
      } catch (err) {
        deaf = true;
        const message = (err as Error).message;
        if (message !== said) log(`The health watcher cannot reach the Docker Engine (${message}); trying again.`);
        said = message;
      }
      if (signal.aborted) break;
      await clock.sleep(backoff, signal).catch(() => {});
      backoff = Math.min(maxBackoff, backoff * 2);
    }
  };

  return {
    start() {
      if (started || !deps.enabled) return;
      started = true;
      abort = new AbortController();
      loop = run(abort.signal).catch((err: Error) => log(`The health watcher stopped: ${err.message}`));
    },
    async stop() {
      if (!started) return;
      started = false;
      abort?.abort();
      await loop;
    },
    onIncident(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    status: () => ({ enabled: deps.enabled, listening, lastHeartbeat: readHeartbeat(db, env) }),
  };
}
