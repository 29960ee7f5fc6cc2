import 'server-only';
import { ConfigError } from './env';
import { runMigrations } from './db/client';
import { countUsers } from './db/users';
import { ensureSetupToken, setupTokenPath } from './auth/setup-token';
import { interruptRunning } from './operations/operation-store';
import { reconcileAtStart } from './operations/reconcile-at-start';
import { explainInterruptedRestores } from './operations/restore-state';
import { explainInterruptedBackups } from './operations/backup-state';
import { releaseInterruptedBackups } from './backup/interrupted-backup';
import { runtime, type Runtime } from './runtime';
import { runtimeFor } from './environment-runtimes';
import { listEnvironmentRows } from './environments/store';
import { LOCAL_ENVIRONMENT_ID } from '@/lib/schemas/environments';
import { startBackupScheduler } from './services/backup-schedule';
import { startSystemChecks } from './alerts/system-checks';
import { startReleaseAlerts } from './services/release-alerts';
import { startTlsAlerts } from './services/tls-alerts';
import { startPrePullWatcher } from './services/pre-pull';

function fail(message: string): never {
  console.error(`\n[tale-console] ${message}\n`);
  process.exit(1);
}

/** Runs once before the server answers: configuration, migrations, and the first-run token. */
export function bootstrap(): void {
  let rt: Runtime;
  try {
    rt = runtime();
  } catch (err) {
    fail(err instanceof ConfigError ? err.message : `Could not read the configuration: ${(err as Error).message}`);
  }
  try {
    runMigrations(rt.db);
  } catch (err) {
    fail(`Database migration failed, not starting: ${(err as Error).message}`);
  }
  // Whatever was running when the console last stopped did not finish. The stack is then
  // reconciled in the background (a half-started target colour removed, an interrupted retire
  // finished, a dead holder's lock released): start-up does not wait for Docker.
  const interrupted = interruptRunning(rt.db);
  if (interrupted.length) console.log(`[tale-console] Marked ${interrupted.length} operation(s) as interrupted by the last shutdown.`);
  // A restore cut off leaves half-restored data and stopped writers: its row says so and how to finish.
  for (const id of explainInterruptedRestores(rt.db, interrupted)) console.log(`[tale-console] Restore ${id} was interrupted: the data may be half-restored; run the restore again to finish it.`);
  // Each environment reconciles its own: the local stack now; a remote one when its runtime is
  // built (environment-recovery.ts). Every environment's runtime is built here, not on the first
  // visit: its health watch, alerts and scheduled backups run from start-up, and one cut off by the
  // last shutdown is recovered. Building never waits for the host (its endpoint connects lazily,
  // and an unreachable one shows as a gap in its history and as unreachable on the fleet page).
  void reconcileAtStart(rt, interrupted.filter((op) => op.environmentId === LOCAL_ENVIRONMENT_ID).map((op) => op.id));
  for (const { id } of listEnvironmentRows(rt.db)) {
    runtimeFor(id).catch((err: Error) => console.log(`[tale-console] Could not start environment ${id}: ${err.message}`));
  }
  // A restic killed with the console left its lock in the repository (the next retention or check
  // would be refused as "locked"), and a backup cut off left parts without a manifest: released
  // and forgotten in the background. Only stale locks go: a restic that still runs keeps its own.
  const cutOff = explainInterruptedBackups(rt.db, interrupted);
  if (cutOff.usedRepository) {
    releaseInterruptedBackups(rt.backups.repo, cutOff.backupIds).then(
      ({ forgotten }) => console.log(`[tale-console] Released the backup repository's stale locks after the last shutdown${forgotten.length ? `; forgot ${forgotten.length} part(s) of an unfinished backup` : ''}.`),
      (err: Error) => console.log(`[tale-console] Could not release the backup repository after the last shutdown: ${err.message}`),
    );
  }
  // A console killed mid-drill left its throwaway PostgreSQL and network: nothing else carries
  // the drill's labels, and no drill runs yet (any that ran was just marked interrupted).
  rt.backups.sandbox.removeLeftovers().then(
    (left) => {
      if (left.containers.length + left.networks.length) console.log(`[tale-console] Removed what an interrupted restore drill left: ${[...left.containers, ...left.networks].join(', ')}.`);
    },
    (err: Error) => console.log(`[tale-console] Could not look for restore drill leftovers: ${err.message}`),
  );
  startBackupScheduler(rt);
  // Deliveries a stopped console left pending are sent (or retried) now; then the host checks.
  rt.alerts.start();
  startSystemChecks(rt.env.alerts, (event) => rt.alerts.publish(event));
  startReleaseAlerts(rt);
  startTlsAlerts(rt);
  startPrePullWatcher(rt);
  // The health history (server/watch/): marks the time the console was down as a gap, then listens.
  rt.watch.start();
  if (countUsers(rt.db) === 0) {
    const token = ensureSetupToken(rt.env.dataDir);
    console.log(
      `[tale-console] First run: open /setup and enter this one-time setup token:\n\n    ${token}\n\n` +
        `[tale-console] It is also in ${setupTokenPath(rt.env.dataDir)} (readable by the server's user only).`,
    );
  }
}
