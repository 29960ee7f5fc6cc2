import 'server-only';
import path from 'node:path';
import { CodedError } from '@/lib/errors';
import { LOCAL_ENVIRONMENT_ID, type EnvironmentColour } from '@/lib/schemas/environments';
import type { Env } from './env';
import { environmentRow, type EnvironmentRow } from './environments/store';
import { readKey, readTlsMaterial } from './environments/key-store';
import { currentLockSelf } from './project/lock-liveness';
import { openSshEndpoint, type RemoteEndpoint } from './remote/ssh-endpoint';
import { openTcpEndpoint } from './remote/tcp-endpoint';
import { recoverCutOff, remoteLockAlive } from './operations/environment-recovery';
import { createRuntime, environmentParts, runtime, type Runtime } from './runtime';
import { startBackupScheduler } from './services/backup-schedule';
import { startReleaseAlerts } from './services/release-alerts';
import { startTlsAlerts } from './services/tls-alerts';
import { stackProbe } from './environments/remote-status';
import { STATUS_DEADLINE_MS, STATUS_REFRESH_MS, createSnapshotKeeper, keepStatus, type SnapshotKeeper } from './environments/status-snapshot';
import type { FleetProbeDto } from '@/lib/dto/environments';

// One runtime per environment (docs/environments.md#one-runtime-per-environment). The local one is
// runtime(); a remote one is the same parts over its SSH endpoint (Docker through the host's
// `docker system dial-stdio`, the deployment directory over SFTP), built on first use and kept, so
// every page, route and operation of that environment shares one endpoint instead of opening its
// own. It shares the local runtime's database, alerts hub and operations bus.

type Entry = { signature: string; runtime: Runtime; endpoint: RemoteEndpoint; stopTimers: () => void; status: SnapshotKeeper<FleetProbeDto> };

// Next loads modules once per bundle: the pool hangs off globalThis like runtime() does.
const shared = globalThis as unknown as { __taleEnvironmentRuntimes?: Map<string, Promise<Entry>> };
const pool = (): Map<string, Promise<Entry>> => (shared.__taleEnvironmentRuntimes ??= new Map());

/** What makes a kept runtime stale: the row it was built from was replaced (another key, host or directory). */
const signatureOf = (row: EnvironmentRow) => JSON.stringify([row.sshUser, row.sshHost, row.sshPort, row.deployDir, row.hostKeyFingerprint, row.name, row.colour, row.production, row.createdAt.getTime()]);

/**
 * A remote environment's own corner of the data directory: its backup target and repository
 * password live apart from the local environment's, so one never restores the other's backups.
 */
export function remoteEnv(local: Env, row: EnvironmentRow): Env {
  const dataDir = path.join(local.dataDir, 'environments', row.id);
  return {
    ...local,
    deployDir: row.deployDir,
    dataDir,
    backup: { ...local.backup, repository: path.join(dataDir, 'backups'), passwordFile: path.join(dataDir, 'backup-password') },
  };
}

/**
 * The environment's endpoint, opened lazily. SSH: Docker and SFTP on one kept connection. TCP:
 * Docker over TLS with its stored certificates, the project's files in the directory the console
 * keeps for it (row.deployDir, under $DATA_DIR: docs/environments.md#endpoints).
 */
async function openEndpoint(local: Runtime, row: EnvironmentRow): Promise<RemoteEndpoint> {
  if (row.kind === 'tcp') {
    const tls = await readTlsMaterial(local.env.dataDir, row.id);
    if (tls === null) throw new CodedError('KEY_MISSING', `The certificates of ${row.name} are missing: remove the environment and add it again.`);
    return openTcpEndpoint({ host: row.sshHost, port: row.sshPort }, { tls, projectDir: row.deployDir, lazy: true });
  }
  const privateKey = await readKey(local.env.dataDir, row.id);
  if (privateKey === null) throw new CodedError('KEY_MISSING', `The private key of ${row.name} is missing: remove the environment and add it again.`);
  return openSshEndpoint({ user: row.sshUser, host: row.sshHost, port: row.sshPort }, { privateKey, hostKeyFingerprint: row.hostKeyFingerprint, deployDir: row.deployDir, lazy: true });
}

async function build(local: Runtime, row: EnvironmentRow): Promise<Entry> {
  const endpoint = await openEndpoint(local, row);
  // A TCP environment's lock file is in the console's own directory, where no CLI of the engine's
  // host can write: pids in it are this machine's, so the local rule (inContainer as detected) applies.
  const lockSelf = row.kind === 'tcp' ? currentLockSelf() : { ...currentLockSelf(), inContainer: true };
  const parts = environmentParts({
    env: remoteEnv(local.env, row),
    db: local.db,
    environment: { id: row.id, name: row.name, colour: row.colour as EnvironmentColour, kind: row.kind === 'tcp' ? 'tcp' : 'ssh', production: row.production, host: row.sshHost },
    clients: endpoint.docker,
    files: endpoint.project,
    // The remote host's pids are not ours to probe: a CLI lock there counts as alive (an operator
    // can clear it), while a lock this console wrote carries our hostname and boot id and is judged
    // as locally (server/project/lock-liveness.ts), except that one this process left behind when
    // the host went away is dead once no operation of ours holds it (environment-recovery.ts).
    lockSelf,
    lockAlive: remoteLockAlive(local.db, row.id, lockSelf),
  });
  const rt = createRuntime(parts, { alerts: local.alerts, live: local.live });
  // Its stack status for the fleet, read in the background so the page reads memory
  // (environments/status-snapshot.ts); a container's change the watch records is read at once.
  const status = createSnapshotKeeper({ read: () => stackProbe(rt.docker, rt.project), deadlineMs: STATUS_DEADLINE_MS, intervalMs: STATUS_REFRESH_MS });
  keepStatus(rt, status);
  // Its health watch runs while the runtime is kept (forget() stops it). Each reconnect after a
  // drop records the gap; a gap means the host answers again, so an operation the drop cut off is
  // recovered then, as it is now if the console stopped or lost the host before this build.
  rt.watch.onIncident((incident) => {
    if (incident.kind === 'gap') recoverCutOff(rt, 'host-back');
    void status.refresh();
  });
  rt.watch.start();
  status.start();
  recoverCutOff(rt, 'runtime-built');
  // Its scheduled backups run like the local environment's, started at boot (server/bootstrap.ts):
  // into its own repository, on its own schedule (docs/backups.md#environments); so do its release
  // and certificate checks, alerted under its name (docs/alerts.md#environments).
  const stops = [startBackupScheduler(rt), startReleaseAlerts(rt), startTlsAlerts(rt)];
  return { signature: signatureOf(row), runtime: rt, endpoint, stopTimers: () => stops.forEach((stop) => stop()), status };
}

/**
 * The runtime of environment `id` ('local' or an environments row). Never waits for the host: its
 * endpoint connects on first use and again after a drop, so an unreachable host shows as such in
 * what is asked of it. Throws ENVIRONMENT_NOT_FOUND for an unknown id.
 */
export async function runtimeFor(id: string): Promise<Runtime> {
  const local = runtime();
  if (id === LOCAL_ENVIRONMENT_ID) return local;
  const row = environmentRow(local.db, id);
  const kept = pool().get(id);
  if (!row) {
    if (kept) forget(id);
    throw new CodedError('ENVIRONMENT_NOT_FOUND', 'There is no such environment: it may have been removed.');
  }
  const signature = signatureOf(row);
  if (kept) {
    const entry = await kept.catch(() => null);
    if (entry && entry.signature === signature) return entry.runtime;
    if (pool().get(id) === kept) forget(id);
  }
  let building = pool().get(id);
  if (!building) {
    building = build(local, row);
    pool().set(id, building);
    building.catch(() => pool().get(id) === building && pool().delete(id));
  }
  return (await building).runtime;
}

/** Drops a kept runtime (its environment was removed or changed) and closes its connection. */
export function forget(id: string): void {
  const kept = pool().get(id);
  if (!kept) return;
  pool().delete(id);
  void kept
    .then(async (entry) => {
      entry.stopTimers();
      entry.status.stop();
      await entry.runtime.watch.stop();
      await entry.endpoint.close();
    })
    .catch(() => {});
}

/** The environments whose runtime is built, for the health watch and the fleet. */
export async function keptRuntimes(): Promise<Runtime[]> {
  const settled = await Promise.all([...pool().values()].map((p) => p.then((e) => e.runtime, () => null)));
  return settled.filter((r): r is Runtime => r !== null);
}
