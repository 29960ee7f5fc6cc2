import { ALL_SERVICES, type Color, type ServiceName } from '@/server/stack/types';

// Which of Docker's container events the watcher records, and as what. Pure: the watcher
// (watcher.ts) keeps the little memory this needs and writes the result.

export type IncidentKind = 'health' | 'die' | 'kill' | 'oom' | 'start' | 'restart' | 'stop' | 'seen' | 'gap';
export type ContainerState = 'up' | 'unhealthy' | 'down';

export type IncidentInput = {
  at: Date;
  until?: Date | null;
  kind: IncidentKind;
  container: string | null;
  service: ServiceName | null;
  color: Color | null;
  state: ContainerState | null;
  exitCode?: number | null;
  health?: string | null;
  signal?: string | null;
  reconciled?: boolean;
};

export type WatchedEvent = {
  at: number;
  action: 'health_status' | 'die' | 'kill' | 'oom' | 'start' | 'restart' | 'stop';
  name: string;
  labels: Record<string, string>;
  exitCode: number | null;
  health: string | null;
  signal: string | null;
};

/**
 * What an event does to the history: a new row, a change of the container's latest row (Docker
 * says `kill`, `die`, `stop` for one `docker stop`, and `die`, `start`, `restart` for one
 * restart: the later event names what the earlier one was), or nothing.
 */
export type Classified =
  | { insert: IncidentInput }
  | { amend: { container: string; kinds: IncidentKind[]; withinMs: number; to: IncidentKind; fallback: IncidentInput } }
  | { remember: { container: string; signal: string } }
  | null;

/** Within this of a `kill`, a `die` is that kill's (Docker sends them milliseconds apart). */
export const KILL_MEMORY_MS = 30_000;

const SIGKILL = new Set(['9', 'SIGKILL', 'KILL']);

/**
 * The service and colour of a container of project `projectId`, read from the labels compose sets
 * (docs/tale-cli.md#labels: the project is `<id>`, `<id>-blue` or `<id>-green`, the service key
 * `platform-blue`), so containers the CLI created count too; null for anything else.
 */
export function identify(labels: Record<string, string>, projectId: string): { service: ServiceName; color: Color | null } | null {
  const project = labels['com.docker.compose.project'];
  const key = labels['com.docker.compose.service'];
  if (!project || !key) return null;
  let color: Color | null = null;
  if (project === `${projectId}-blue`) color = 'blue';
  else if (project === `${projectId}-green`) color = 'green';
  else if (project !== projectId) return null;
  const service = color ? key.replace(new RegExp(`-${color}$`), '') : key;
  if (!(ALL_SERVICES as readonly string[]).includes(service)) return null;
  return { service: service as ServiceName, color };
}

/** `lastSignal`: the signal of this container's latest `kill` within KILL_MEMORY_MS, if any. */
export function classify(e: WatchedEvent, projectId: string, lastSignal: string | null): Classified {
  const who = identify(e.labels, projectId);
  if (!who) return null;
  const base = { at: new Date(e.at), container: e.name, service: who.service, color: who.color };
  switch (e.action) {
    case 'health_status':
      // `starting` is where every container with a health check begins; its `start` said so.
      if (e.health === 'healthy') return { insert: { ...base, kind: 'health', state: 'up', health: 'healthy' } };
      if (e.health === 'unhealthy') return { insert: { ...base, kind: 'health', state: 'unhealthy', health: 'unhealthy' } };
      return null;
    case 'kill':
      return e.signal ? { remember: { container: e.name, signal: e.signal } } : null;
    case 'die': {
      const killed = lastSignal !== null && SIGKILL.has(lastSignal);
      return { insert: { ...base, kind: killed ? 'kill' : 'die', state: 'down', exitCode: e.exitCode, signal: lastSignal } };
    }
    case 'oom':
      // The kernel killed a process of the container; whether it died says the `die` after it.
      return { insert: { ...base, kind: 'oom', state: null } };
    case 'start':
      return { insert: { ...base, kind: 'start', state: 'up' } };
    case 'restart':
      return { amend: { container: e.name, kinds: ['start'], withinMs: KILL_MEMORY_MS, to: 'restart', fallback: { ...base, kind: 'restart', state: 'up' } } };
    case 'stop':
      // A stop the console or an operator asked for: the die before it was expected.
      return { amend: { container: e.name, kinds: ['die', 'kill'], withinMs: KILL_MEMORY_MS, to: 'stop', fallback: { ...base, kind: 'stop', state: 'down' } } };
  }
}

/** A container as `docker ps -a` and inspect show it, for reconciling after a gap. */
export type ObservedContainer = { name: string; labels: Record<string, string>; running: boolean; health: string; exitCode: number | null };

export function observedState(c: ObservedContainer): ContainerState {
  if (!c.running) return 'down';
  return c.health === 'unhealthy' ? 'unhealthy' : 'up';
}

/**
 * After a gap (or at the first start), the rows that bring the history in line with what Docker
 * shows now: a container whose state differs from its last recorded one gets a row saying what it
 * was found as (a `die` with its exit code when it stopped, so a container that died while nobody
 * listened is recorded as such), marked `reconciled`; one never seen before a `seen` row.
 */
export function reconcile(observed: ObservedContainer[], lastKnown: Map<string, ContainerState>, projectId: string, now: Date): IncidentInput[] {
  const out: IncidentInput[] = [];
  for (const c of observed) {
    const who = identify(c.labels, projectId);
    if (!who) continue;
    const state = observedState(c);
    const known = lastKnown.get(c.name);
    if (known === state) continue;
    const base = { at: now, container: c.name, service: who.service, color: who.color, state, reconciled: true };
    if (known === undefined) out.push({ ...base, kind: 'seen' });
    else if (state === 'down') out.push({ ...base, kind: 'die', exitCode: c.exitCode });
    else if (state === 'unhealthy') out.push({ ...base, kind: 'health', health: 'unhealthy' });
    else out.push({ ...base, kind: known === 'down' ? 'start' : 'health', health: c.health === 'healthy' ? 'healthy' : null });
  }
  return out;
}

/** The gap a (re)connect closes: from the last heartbeat to now; none on a first start ever. */
export function gapOnConnect(lastHeartbeat: Date | null, now: Date): IncidentInput | null {
  if (!lastHeartbeat || lastHeartbeat.getTime() >= now.getTime()) return null;
  return { at: lastHeartbeat, until: now, kind: 'gap', container: null, service: null, color: null, state: null };
}
