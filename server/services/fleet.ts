import 'server-only';
import { and, desc, eq, gte, sql } from 'drizzle-orm';
import type { FleetDto, FleetEnvironmentDto, FleetProbeDto } from '@/lib/dto/environments';
import { requireRole, type Caller } from '../auth/caller';
import { alertDeliveries } from '../db/schema/alerts';
import { operations } from '../db/schema/operations';
import { CodedError } from '@/lib/errors';
import { LOCAL_ENVIRONMENT_ID } from '@/lib/schemas/environments';
import { DeadlineError, allWithDeadline, withDeadline, type Settled } from '../environments/deadline';
import { fleetServices, stackProbe } from '../environments/remote-status';
import { STATUS_DEADLINE_MS, STATUS_MAX_AGE_MS, keptStatus } from '../environments/status-snapshot';
import { listEnvironmentRows } from '../environments/store';
import type { Runtime, RuntimeEnvironment } from '../runtime';
import { environmentDto, localEnvironment, remoteErrorOf, remoteWords } from './environments';
import { currentStatus } from './operations';
import { runningOperation, toOperationDto } from '../operations/operation-store';

// The fleet (docs/environments.md#fleet): every environment asked at once through its kept
// runtime (one SSH connection per environment, server/environment-runtimes.ts), each under its own
// deadline, so a host that does not answer is shown as unreachable after FLEET_DEADLINE_MS and
// never delays the others. A remote runtime keeps its status read in the background
// (environments/status-snapshot.ts): the fleet shows that snapshot with its age while it is
// younger than STATUS_MAX_AGE_MS, and reads the host itself only when it is older (or missing).
// Every environment also shows what this console records for it: the running operation, the last
// backup and the recent alerts.

export const FLEET_DEADLINE_MS = STATUS_DEADLINE_MS;
const BUILD_GRACE_MS = 250;

/** The runtime of an environment id (the edge passes runtimeFor: a service never imports the process's runtimes). */
export type RuntimeOf = (id: string) => Promise<Runtime>;

async function localProbe(rt: Runtime): Promise<FleetProbeDto> {
  const status = await currentStatus(rt);
  if (!status.engine.reachable) return { reachable: false, code: 'DOCKER_UNAVAILABLE', message: status.engine.message ?? 'The Docker Engine could not be reached.' };
  const message = status.initialised ? null : (status.warnings[0] ?? null);
  return { reachable: true, initialised: status.initialised, projectId: await rt.project.readProjectId().catch(() => null), activeColor: status.activeColor, activeVersion: status.activeVersion, services: fleetServices(status.containers), message };
}

// A probe still under way (its host was slow past the last deadline) is joined, not repeated: a
// hung host never collects a queue of probes on its kept connection, so it cannot starve the
// runtime's own calls. The probe itself only reads, with the api client's 10 s timeout, and never
// closes the kept connection the environment's pages and operations share.
const inFlight = new WeakMap<Runtime, Promise<FleetProbeDto>>();

function probe(rt: Runtime): Promise<FleetProbeDto> {
  let p = inFlight.get(rt);
  if (!p) {
    p = rt.environment.kind === 'local' ? localProbe(rt) : stackProbe(rt.docker, rt.project);
    const mine = p;
    inFlight.set(rt, p);
    void p.catch(() => {}).finally(() => inFlight.get(rt) === mine && inFlight.delete(rt));
  }
  return p;
}

/** A settled probe as the fleet shows it; errors in words, never a stack or a credential. */
export function probeAnswer(settled: Settled<FleetProbeDto>, deadlineMs: number, kind: RuntimeEnvironment['kind'] = 'ssh'): FleetProbeDto {
  if (settled.ok) return settled.value;
  if (settled.timedOut || settled.error instanceof DeadlineError) {
    return { reachable: false, code: 'TIMEOUT', message: `No answer within ${deadlineMs / 1000} s: the host or its Docker Engine does not respond.` };
  }
  const remote = remoteErrorOf(settled.error);
  if (remote) return { reachable: false, code: remote.code, message: remoteWords(remote.code, remote.message, kind === 'tcp' ? 'tcp' : 'ssh') };
  if (settled.error instanceof CodedError && settled.error.code === 'KEY_MISSING') {
    const what = kind === 'tcp' ? 'certificates file' : 'private key file';
    return { reachable: false, code: 'KEY_MISSING', message: `This environment's ${what} is missing: remove the environment and add it again.` };
  }
  return { reachable: false, code: 'UNREACHABLE', message: 'The environment could not be read.' };
}

const DAY_MS = 24 * 60 * 60_000;

/** What this console recorded for one environment: operations rows and alert payloads carry its id. */
export function environmentExtras(rt: Runtime, environmentId: string): FleetEnvironmentDto['records'] {
  const row = runningOperation(rt.db, environmentId);
  const running = row ? toOperationDto(row) : null;
  const backup = rt.db
    .select({ id: operations.id, finishedAt: operations.finishedAt })
    .from(operations)
    .where(and(eq(operations.environmentId, environmentId), eq(operations.kind, 'backup'), eq(operations.status, 'succeeded')))
    .orderBy(desc(operations.finishedAt))
    .limit(1)
    .get();
  // One event is one delivery per channel: count the events, not the deliveries. An alert queued
  // before alerts named their environment was the local one's (the only one there was).
  const since = new Date(rt.clock.now().getTime() - DAY_MS);
  const alerts = rt.db
    .select({ n: sql<number>`count(distinct json_extract(${alertDeliveries.payload}, '$.id'))` })
    .from(alertDeliveries)
    .where(and(eq(alertDeliveries.test, false), gte(alertDeliveries.createdAt, since), sql`coalesce(json_extract(${alertDeliveries.payload}, '$.environmentId'), ${LOCAL_ENVIRONMENT_ID}) = ${environmentId}`))
    .get();
  return {
    running: running ? { id: running.id, kind: running.kind, purpose: running.purpose } : null,
    lastBackup: backup?.finishedAt ? { operationId: backup.id, finishedAt: backup.finishedAt.toISOString() } : null,
    alertsLast24h: alerts?.n ?? 0,
  };
}

export async function getFleet(rt: Runtime, caller: Caller, runtimeOf: RuntimeOf, deadlineMs = FLEET_DEADLINE_MS, maxAgeMs = STATUS_MAX_AGE_MS): Promise<FleetDto> {
  requireRole(caller, 'viewer');
  const started = Date.now();
  const rows = listEnvironmentRows(rt.db);
  const ids = [LOCAL_ENVIRONMENT_ID, ...rows.map((row) => row.id)];
  // runtimeOf never waits for a host (its connection is made on first use): only the probe does.
  // A kept snapshot answers with when it was read; a live probe was read just now.
  type Read = { probe: FleetProbeDto; at: number; ms: number };
  const settled = await allWithDeadline(
    ids,
    async (id): Promise<Read> => {
      const envRt = await runtimeOf(id);
      const kept = keptStatus(envRt);
      if (kept) {
        const snapshot = await kept.get(maxAgeMs);
        return { probe: probeAnswer(snapshot.settled, deadlineMs, envRt.environment.kind), at: snapshot.at, ms: snapshot.settled.ms };
      }
      const live = await withDeadline(() => probe(envRt), deadlineMs);
      return { probe: probeAnswer(live, deadlineMs, envRt.environment.kind), at: Date.now(), ms: live.ms };
    },
    // Each read has its deadline above (a kept one the keeper's, started with its read): this one
    // only bounds building a runtime, and lets the keeper record its own timeout first, so the
    // page and the next request show the same kept answer.
    deadlineMs + BUILD_GRACE_MS,
  );
  const answeredAt = Date.now();
  const environments = ids.map((id, i): FleetEnvironmentDto => {
    const s = settled[i]!;
    const env = i === 0 ? localEnvironment(rt) : environmentDto(rows[i - 1]!);
    const read: Read = s.ok ? s.value : { probe: probeAnswer(s, deadlineMs, env.kind), at: answeredAt, ms: s.ms };
    return {
      environment: { id: env.id, name: env.name, colour: env.colour, kind: env.kind, endpoint: env.endpoint, deployDir: env.deployDir },
      probe: read.probe,
      durationMs: read.ms,
      checkedAt: new Date(read.at).toISOString(),
      ageMs: Math.max(0, answeredAt - read.at),
      records: environmentExtras(rt, id),
    };
  });
  return { environments, deadlineMs, maxAgeMs, checkedAt: rt.clock.now().toISOString(), durationMs: Date.now() - started };
}
