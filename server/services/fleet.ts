import 'server-only';
import { and, desc, eq, gte, sql } from 'drizzle-orm';
import type { FleetDto, FleetEnvironmentDto, FleetProbeDto } from '@/lib/dto/environments';
import { requireRole, type Caller } from '../auth/caller';
import { alertDeliveries } from '../db/schema/alerts';
import { operations } from '../db/schema/operations';
import { DeadlineError, allWithDeadline, type Settled } from '../environments/deadline';
import { fleetServices, remoteProbe } from '../environments/remote-status';
import { listEnvironmentRows, type EnvironmentRow } from '../environments/store';
import type { Runtime } from '../runtime';
import { connectionOf, environmentDto, localEnvironment, remoteErrorOf, remoteWords, sshRemote, type RemoteConnector } from './environments';
import { currentStatus } from './operations';
import { runningOperation, toOperationDto } from '../operations/operation-store';

// The fleet (docs/environments.md#fleet): every environment asked at once, each under its own
// deadline, so a host that does not answer is shown as unreachable after FLEET_DEADLINE_MS and
// never delays the others. The local environment also shows what only this console records: the
// running operation, the last backup and the recent alerts.

export const FLEET_DEADLINE_MS = 3_000;

type Target = { kind: 'local' } | { kind: 'ssh'; row: EnvironmentRow };

async function localProbe(rt: Runtime): Promise<FleetProbeDto> {
  const status = await currentStatus(rt);
  if (!status.engine.reachable) return { reachable: false, code: 'DOCKER_UNAVAILABLE', message: status.engine.message ?? 'The Docker Engine could not be reached.' };
  const message = status.initialised ? null : (status.warnings[0] ?? null);
  return { reachable: true, initialised: status.initialised, projectId: await rt.project.readProjectId().catch(() => null), activeColor: status.activeColor, activeVersion: status.activeVersion, services: fleetServices(status.containers), message };
}

async function sshProbe(rt: Runtime, row: EnvironmentRow, remote: RemoteConnector, signal: AbortSignal): Promise<FleetProbeDto> {
  const { target, privateKey } = await connectionOf(rt, row);
  if (privateKey === null) return { reachable: false, code: 'KEY_MISSING', message: "This environment's private key file is missing: remove the environment and add it again." };
  const endpoint = await remote.openSshEndpoint(target, { privateKey, hostKeyFingerprint: row.hostKeyFingerprint, deployDir: row.deployDir, timeoutMs: FLEET_DEADLINE_MS });
  // Past the deadline nobody waits for this endpoint any more: closing it ends the reads under way.
  const close = () => void endpoint.close().catch(() => {});
  if (signal.aborted) {
    close();
    throw signal.reason;
  }
  signal.addEventListener('abort', close, { once: true });
  try {
    return await remoteProbe(endpoint);
  } finally {
    signal.removeEventListener('abort', close);
    close();
  }
}

/** A settled probe as the fleet shows it; errors in words, never a stack or a credential. */
export function probeAnswer(settled: Settled<FleetProbeDto>, deadlineMs: number): FleetProbeDto {
  if (settled.ok) return settled.value;
  if (settled.timedOut || settled.error instanceof DeadlineError) {
    return { reachable: false, code: 'TIMEOUT', message: `No answer within ${deadlineMs / 1000} s: the host or its Docker Engine does not respond.` };
  }
  const remote = remoteErrorOf(settled.error);
  if (remote) return { reachable: false, code: remote.code, message: remoteWords(remote.code, remote.message) };
  return { reachable: false, code: 'UNREACHABLE', message: 'The environment could not be read.' };
}

const DAY_MS = 24 * 60 * 60_000;

function localExtras(rt: Runtime): FleetEnvironmentDto['local'] {
  const row = runningOperation(rt.db, rt.environment.id);
  const running = row ? toOperationDto(row) : null;
  const backup = rt.db
    .select({ id: operations.id, finishedAt: operations.finishedAt })
    .from(operations)
    .where(and(eq(operations.kind, 'backup'), eq(operations.status, 'succeeded')))
    .orderBy(desc(operations.finishedAt))
    .limit(1)
    .get();
  // One event is one delivery per channel: count the events, not the deliveries.
  const since = new Date(rt.clock.now().getTime() - DAY_MS);
  const alerts = rt.db
    .select({ n: sql<number>`count(distinct json_extract(${alertDeliveries.payload}, '$.id'))` })
    .from(alertDeliveries)
    .where(and(eq(alertDeliveries.test, false), gte(alertDeliveries.createdAt, since)))
    .get();
  return {
    running: running ? { id: running.id, kind: running.kind, purpose: running.purpose } : null,
    lastBackup: backup?.finishedAt ? { operationId: backup.id, finishedAt: backup.finishedAt.toISOString() } : null,
    alertsLast24h: alerts?.n ?? 0,
  };
}

export async function getFleet(rt: Runtime, caller: Caller, remote: RemoteConnector = sshRemote, deadlineMs = FLEET_DEADLINE_MS): Promise<FleetDto> {
  requireRole(caller, 'viewer');
  const started = Date.now();
  const rows = listEnvironmentRows(rt.db);
  const targets: Target[] = [{ kind: 'local' }, ...rows.map((row) => ({ kind: 'ssh' as const, row }))];
  const settled = await allWithDeadline(targets, (t, signal) => (t.kind === 'local' ? localProbe(rt) : sshProbe(rt, t.row, remote, signal)), deadlineMs);
  const environments = targets.map((t, i): FleetEnvironmentDto => {
    const s = settled[i]!;
    const env = t.kind === 'local' ? localEnvironment(rt) : environmentDto(t.row);
    const probe = probeAnswer(s, deadlineMs);
    return {
      environment: { id: env.id, name: env.name, colour: env.colour, kind: env.kind, endpoint: env.endpoint, deployDir: env.deployDir },
      probe,
      durationMs: s.ms,
      local: t.kind === 'local' ? localExtras(rt) : null,
    };
  });
  return { environments, deadlineMs, checkedAt: rt.clock.now().toISOString(), durationMs: Date.now() - started };
}
