import 'server-only';
import type { ActionResult } from '@/lib/action-result';
import type { DatabaseInUseDto, DatabaseUseDto } from '@/lib/dto/external-database';
import { CodedError } from '@/lib/errors';
import { removeBundledVolumeSchema } from '@/lib/schemas/external-database';
import { fieldErrors } from '@/lib/schemas/field-errors';
import { DATABASE_CLIENTS, databaseUseOf, describeDatabase, sameDatabase, type DatabaseUse } from '../engine/database-use';
import type { DockerPort, ProjectPort } from '../engine/ports';
import { containerName, volumeName } from '../stack/stack-names';
import { ROTATABLE_SERVICES } from '../stack/types';
import { appendAudit } from '../db/audit-log';
import { authorize, requireRole, type Caller } from '../auth/caller';
import { runningOperation } from '../operations/operation-store';
import type { Runtime } from '../runtime';
import { databaseMode } from './external-database-steps';
import type { ProjectDir } from '../project/file-ops';

// Which database the stack runs on now, against the one the files choose for the next deploy
// (docs/tale-cli.md#switching-databases), and the admin's way to delete the bundled db's data
// once nothing uses it.

const toDto = (use: DatabaseUse): DatabaseUseDto => ({ ...use, label: describeDatabase(use) });

/** What databaseInUse reads: the deployment directory and Docker (a Runtime has them). */
type Sources = { files: ProjectDir; project: ProjectPort; docker: DockerPort };

/** Null when the deployment directory has no project yet. */
export async function databaseInUse(rt: Sources): Promise<DatabaseInUseDto | null> {
  let projectId: string;
  try {
    projectId = await rt.project.readProjectId();
  } catch (err) {
    if (err instanceof CodedError) return null;
    throw err;
  }
  const mode = await databaseMode(rt.files);
  const configured: DatabaseUse =
    mode.mode === 'external' && mode.external ? { kind: 'external', host: mode.external.host.toLowerCase(), port: mode.external.port } : { kind: 'bundled' };

  // Both colours: during a deploy, or after a retire that failed, the old one still runs on its database.
  const names = DATABASE_CLIENTS.flatMap((service) =>
    (ROTATABLE_SERVICES as readonly string[]).includes(service)
      ? (['blue', 'green'] as const).map((color) => ({ service, name: containerName(projectId, service, color) }))
      : [{ service, name: containerName(projectId, service, null) }],
  );
  const inspected = await Promise.all(names.map(async (n) => ({ ...n, details: await rt.docker.inspectContainer(n.name) })));
  const services: DatabaseInUseDto['services'] = [];
  const uses: (DatabaseUse | null)[] = [];
  for (const { service, name, details } of inspected) {
    if (!details?.running) continue;
    const use = details.env ? databaseUseOf(service, details.env) : null;
    uses.push(use);
    services.push({ service, container: name, use: use ? toDto(use) : null });
  }
  const first = uses[0];
  let inUse: DatabaseInUseDto['inUse'] = null;
  if (first !== undefined) {
    inUse = first !== null && uses.every((u) => sameDatabase(u, first)) ? toDto(first) : { kind: 'mixed', label: 'mixed (see the services below)' };
  }
  const pending = inUse !== null && (inUse.kind === 'mixed' || !sameDatabase(inUse, configured)) ? `switches to ${describeDatabase(configured)} at the next deploy` : null;

  const dbName = containerName(projectId, 'db', null);
  const volume = volumeName(projectId, 'db-data');
  const [db, volumeExists] = await Promise.all([rt.docker.inspectContainer(dbName), rt.docker.volumeExists(volume)]);
  const state = db === null ? 'absent' : db.running ? 'running' : 'stopped';
  let removalBlocked: string | null = null;
  if (!volumeExists) removalBlocked = 'There is no such volume.';
  else if (configured.kind === 'bundled') removalBlocked = 'The files use the bundled database: switch to an external database first.';
  else if (uses.some((u) => u === null || u.kind === 'bundled')) removalBlocked = 'A running service still uses the bundled database: deploy first.';
  else if (state === 'running') removalBlocked = 'The bundled database still runs: deploy first, which stops it.';
  return {
    services,
    inUse,
    configured: toDto(configured),
    pending,
    bundled: { container: dbName, state, volume, volumeExists, removalBlocked },
  };
}

/** The page's read: any signed-in user may see which database runs (no credentials in it). */
export async function getDatabaseInUse(rt: Runtime, caller: Caller): Promise<DatabaseInUseDto | null> {
  requireRole(caller, 'viewer');
  return databaseInUse(rt);
}

/**
 * Deletes the bundled db's data volume (and its stopped container, which holds it) for good. Refused
 * unless the files choose an external database, no running service uses the bundled one, the db is
 * stopped and no operation runs; the admin types the volume's name. Done under the deployment lock,
 * re-checked there, so neither a console deploy nor the CLI starts the db in between.
 */
export async function removeBundledDatabaseVolume(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<{ removed: string }>> {
  return authorize(caller, 'admin', async (actor) => {
    const record = (outcome: 'success' | 'failure', message: string, target: string | null) =>
      appendAudit(rt.db, { actor, action: 'database.remove_bundled_volume', target, params: {}, sourceIp: caller.sourceIp, outcome, message });
    const parsed = removeBundledVolumeSchema.safeParse(raw);
    if (!parsed.success) {
      record('failure', 'invalid input', null);
      return { ok: false, code: 'INVALID_INPUT', message: 'Check the highlighted fields.', fieldErrors: fieldErrors(parsed.error) };
    }
    let volume: string | null = null;
    try {
      const check = async () => {
        const state = await databaseInUse(rt);
        if (!state) throw new CodedError('NOT_INITIALISED', 'There is no deployment here yet.');
        volume = state.bundled.volume;
        if (parsed.data.confirm !== volume) throw new CodedError('CONFIRMATION_MISMATCH', `Type ${volume} to confirm.`);
        if (state.bundled.removalBlocked) throw new CodedError('BUNDLED_DB_IN_USE', state.bundled.removalBlocked);
        const running = runningOperation(rt.db, rt.environment.id);
        if (running) throw new CodedError('OPERATION_IN_PROGRESS', `A ${running.kind} is running: try again when it has ended.`);
        return state;
      };
      await check();
      const lock = await rt.project.acquireLock('remove bundled database volume');
      try {
        const state = await check();
        // The stopped container holds the volume; without the volume it is of no use anyway.
        await rt.docker.removeContainer(state.bundled.container);
        await rt.docker.removeVolumes([state.bundled.volume]);
      } finally {
        await lock.release();
      }
      record('success', 'removed', volume);
      return { ok: true, data: { removed: volume! } };
    } catch (err) {
      if (!(err instanceof CodedError)) {
        console.error('[tale-console] removing the bundled database volume failed', err instanceof Error ? err.name : typeof err);
        record('failure', 'internal error', volume);
        return { ok: false, code: 'INTERNAL', message: 'Something went wrong on the server.' };
      }
      record('failure', err.message, volume);
      return { ok: false, code: err.code, message: err.message };
    }
  });
}
