import { randomUUID } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { finished } from 'node:stream/promises';
import { containerName, networkName, volumeName } from '../stack/stack-names';
import type { Color, RotatableService } from '../stack/types';
import { underLock } from '../engine/deployment-lock';
import { engineSettings } from '../engine/engine-settings';
import { waitHealthy } from '../engine/health-gate';
import { captured } from '../docker/container-exec';
import type { ExecRunner, ExecStream } from '../docker/exec-stream';
import { INVENTORY_SQL, parseInventory, type TableCount } from '../postgres/bundled-copy-plan';
import { assertIdentifier, ident } from '../postgres/identifiers';
import { BackupError } from './backup-error';
import {
  clientContainers,
  DROP_OWNED_RELATIONS,
  externalEnv,
  externalDatabases,
  externalFailure,
  serverLabel,
  sourceOf,
  unexpectedReplayErrors,
  type ExternalDatabase,
} from './external-sources';
import { CONSISTENCY, CONSISTENCY_EXTERNAL, itemFile, manifestSchema, STATE_VOLUMES, tags, type BackupManifest } from './manifest';
import type { BackupPorts, HelperVolume, StoredItem } from './ports';

// Backup and restore of one Tale deployment, with every byte streamed: pg_dump's output and each
// volume's tar go straight into restic's stdin, and a restore streams restic's dump straight into
// psql or into Docker's archive API. Nothing is held in memory or written to a temporary file.
// All I/O goes through ports.ts, so the order of things and the failure handling are unit-tested.

const MAX_CAPTURE = 4 * 1024 * 1024;
/** Progress events per item at most this often. */
const PROGRESS_EVERY_MS = 500;

type Signal = AbortSignal | undefined;

function stopIfCancelled(signal: Signal, before: string): void {
  if (signal?.aborted) throw new BackupError('CANCELLED', `Cancelled by a user before ${before}.`);
}

export const capture = (stream: Readable) => captured(stream, MAX_CAPTURE);

export const lastLine = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean).at(-1) ?? '';

/** psql in the db container as its superuser over the local socket (trusted there, docs/tale-cli.md#bundled-database-init). */
export function psqlArgv(superuser: string, database: string, command?: string): string[] {
  return ['psql', '--no-psqlrc', '--set=ON_ERROR_STOP=1', '--tuples-only', '--no-align', `--username=${superuser}`, `--dbname=${database}`, ...(command ? [`--command=${command}`] : ['--file=-'])];
}

/**
 * pg_dump as plain SQL with CREATE DATABASE and the database's own settings (search_path and the
 * like), owners and grants kept: it is restored into the same kind of server, where the roles exist.
 */
export function dumpArgv(superuser: string, database: string): string[] {
  return ['pg_dump', '--format=plain', '--create', '--encoding=UTF8', `--username=${superuser}`, `--dbname=${database}`];
}

/**
 * pg_dump of a database on an external server, as the services' role: no CREATE DATABASE (the role
 * may not create or drop it; the admin made it), DROP … IF EXISTS before each object so it replays
 * over what is there, and no owners (every object is the role's anyway; a drill has no such role).
 */
export function externalDumpArgv(user: string, database: string): string[] {
  return ['pg_dump', '--format=plain', '--clean', '--if-exists', '--no-owner', '--encoding=UTF8', `--username=${user}`, `--dbname=${database}`];
}

const LIST_DATABASES = "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres' ORDER BY datname";

/**
 * Where psql and pg_dump run for one database: `docker exec` in the bundled db container (as its
 * superuser, over the local socket), or a short-lived container of the stack's db image on the
 * stack's network for an external server (as the services' role, its password only in that
 * container's environment).
 */
interface PgSite {
  exec: ExecRunner;
  /** The container exec'd into; for an external server, only a name in messages. */
  container: string;
  user: string;
  external: ExternalDatabase | null;
}

function bundledSite(p: BackupPorts, container: string, superuser: string): PgSite {
  return { exec: p.exec, container, user: superuser, external: null };
}

function externalSite(p: BackupPorts, facts: { projectId: string; image: string }, d: ExternalDatabase): PgSite {
  const runner = p.oneShot;
  if (!runner) throw new BackupError('BACKUP_EXTERNAL_DB_UNKNOWN', `The database ${d.name} is on an external server (${serverLabel(d)}) and this console cannot run a container to reach it.`);
  const exec: ExecRunner = {
    start: (_container, argv, opts) =>
      runner.start(
        { name: `${facts.projectId}-backup-pg`, image: facts.image, network: networkName(facts.projectId), argv, env: externalEnv(d), labels: helperLabels(facts.projectId) },
        { stdin: opts?.stdin },
      ),
  };
  return { exec, container: `the external PostgreSQL at ${serverLabel(d)}`, user: d.user, external: d };
}

async function psql(site: PgSite, database: string, command: string): Promise<string> {
  const run = await site.exec.start(site.container, psqlArgv(site.user, database, command));
  const out = capture(run.stdout);
  const err = capture(run.stderr);
  const code = await run.exit;
  if (code !== 0) {
    if (site.external) throw externalFailure({ ...site.external, name: database }, 'psql', code, err());
    throw new BackupError('BACKUP_DUMP_FAILED', `psql in ${site.container} failed: ${lastLine(err()) || `exit ${code}`}`);
  }
  return out();
}

async function inventory(site: PgSite, database: string): Promise<TableCount[]> {
  return parseInventory(await psql(site, database, INVENTORY_SQL)).tables;
}

export function progress(p: Pick<BackupPorts, 'clock' | 'events'>, step: 'backup' | 'restore' | 'drill', item: string): (bytes: number) => void {
  let last = 0;
  return (bytes) => {
    const now = p.clock.now().getTime();
    if (now - last < PROGRESS_EVERY_MS) return;
    last = now;
    p.events.emit({ step, status: 'progress', data: { item, bytes } });
  };
}

/**
 * What the backup needs to know about the live deployment: the bundled db when it runs, and Tale's
 * databases on external servers as the services' containers use them (running ones for a backup;
 * for a restore also the writers an earlier restore left stopped, which still say it).
 */
async function deploymentFacts(p: BackupPorts, opts: { stoppedClients?: boolean } = {}) {
  const projectId = await p.project.readProjectId();
  const env = await p.project.readEnv();
  const superuser = assertIdentifier(env.DB_USER || 'tale');
  const db = containerName(projectId, 'db', null);
  const details = await p.docker.inspectContainer(db);
  const clients = await Promise.all(clientContainers(projectId, containerName).map(async (c) => ({ ...c, details: await p.docker.inspectContainer(c.name) })));
  // The running services say what is in use; when none runs (a restore that failed left them
  // stopped), the stopped ones still say it.
  const anyRunning = clients.some((c) => c.details?.running);
  const external = externalDatabases(
    clients.flatMap((c) => (c.details?.env && (c.details.running || opts.stoppedClients || !anyRunning) ? [{ service: c.service, env: c.details.env }] : [])),
  );
  if (!details?.running && external.length === 0) {
    throw new BackupError('BACKUP_DB_NOT_RUNNING', `The bundled db container (${db}) is not running: a backup reads the databases through it.`);
  }
  // With an external database there may be no db container: its image is still on the host.
  const image = details?.image ?? (await p.stackDbImage?.()) ?? null;
  if (!image) throw new BackupError('BACKUP_DB_NOT_RUNNING', `No image of the stack's db is on this host to run pg_dump from, and there is no db container (${db}).`);
  const volumes: HelperVolume[] = STATE_VOLUMES.map((key) => ({ key, name: volumeName(projectId, key) }));
  return { projectId, env, superuser, db, bundledRunning: details?.running === true, external, image, volumes };
}

const helperLabels = (projectId: string) => ({ 'io.tale.console.managed': 'true', 'io.tale.console.role': 'backup-helper', project: projectId });

export interface BackupInput {
  kind: BackupManifest['kind'];
  startedBy: string | null;
  signal?: AbortSignal;
  /**
   * The caller already holds the deployment lock (a deploy whose pre-upgrade backup this is): the
   * lock is not re-entrant, and the backup must not let anything in between it and the deploy.
   */
  lockHeld?: boolean;
}

/**
 * Takes one backup: every database of the bundled db (row counts, then pg_dump), the state
 * volumes, the project files, and last the manifest. Each part is one restic snapshot tagged with
 * the project and the backup; only the manifest makes the backup complete, and a failed backup
 * forgets the parts it stored.
 */
export async function runBackup(p: BackupPorts, input: BackupInput): Promise<{ manifest: BackupManifest; manifestSnapshot: string }> {
  const run = async () => {
    const started = p.clock.now();
    const facts = await deploymentFacts(p);
    const backupId = randomUUID();
    const base = [tags.project(facts.projectId), tags.backup(backupId)];
    const stored: string[] = [];
    const store = async (item: string, source: Readable, extraTags: string[] = []): Promise<StoredItem> => {
      // The backup's id on every part's start: a console killed mid-backup finds, at its next
      // start, which parts to forget (interrupted-backup.ts).
      p.events.emit({ step: 'backup', status: 'started', data: { item, backupId } });
      const result = await p.repo.backupStdin(source, { filename: item, tags: [...base, ...extraTags], signal: input.signal, onBytes: progress(p, 'backup', item) });
      stored.push(result.snapshotId);
      return result;
    };
    const done = (item: string, r: StoredItem) => p.events.emit({ step: 'backup', status: 'succeeded', data: { item, bytes: r.bytes, dataAdded: r.dataAdded } });

    try {
      await p.repo.unlock();
      const databases: BackupManifest['databases'] = [];
      const bundled = bundledSite(p, facts.db, facts.superuser);
      const externalNames = new Set(facts.external.map((d) => d.name));
      // The bundled db's databases, except one the services use on an external server (a stale copy).
      const names = facts.bundledRunning ? (await psql(bundled, 'postgres', LIST_DATABASES)).split('\n').map((s) => s.trim()).filter((n) => n && !externalNames.has(n)) : [];
      const parts = [...names.map((name) => ({ name, site: bundled })), ...facts.external.map((d) => ({ name: d.name, site: externalSite(p, facts, d) }))];
      for (const { name, site } of parts) {
        stopIfCancelled(input.signal, `database ${name} was saved`);
        assertIdentifier(name);
        const tables = await inventory(site, name);
        const item = itemFile.database(name);
        const dump: ExecStream = await site.exec.start(site.container, site.external ? externalDumpArgv(site.user, name) : dumpArgv(site.user, name));
        const dumpErr = capture(dump.stderr);
        let r: StoredItem;
        try {
          r = await store(item, dump.stdout);
        } catch (err) {
          dump.abort();
          throw err;
        }
        const code = await dump.exit;
        // A pg_dump that broke off ends its output early: restic stored a truncated file, which the
        // cleanup below forgets.
        if (code !== 0) {
          if (site.external) throw externalFailure(site.external, 'pg_dump', code, dumpErr());
          throw new BackupError('BACKUP_DUMP_FAILED', `pg_dump of ${name} failed: ${lastLine(dumpErr()) || `exit ${code}`}`);
        }
        done(item, r);
        databases.push({ name, ...r, tables, source: site.external ? sourceOf(site.external) : { kind: 'bundled' } });
      }

      const volumes: BackupManifest['volumes'] = [];
      await p.volumes.withHelper({ image: facts.image, name: `${facts.projectId}-backup-helper`, volumes: facts.volumes, readOnly: true, labels: helperLabels(facts.projectId) }, async (helper) => {
        for (const v of facts.volumes) {
          stopIfCancelled(input.signal, `volume ${v.key} was saved`);
          const item = itemFile.volume(v.key);
          const r = await store(item, await helper.read(v.key));
          done(item, r);
          volumes.push({ key: v.key as BackupManifest['volumes'][number]['key'], name: v.name, ...r });
        }
      });

      stopIfCancelled(input.signal, 'the project files were saved');
      const files = await p.readProjectFiles();
      const encoded = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v.toString('base64')]));
      const filesItem = await store(itemFile.projectFiles, Readable.from([Buffer.from(JSON.stringify({ files: encoded }))]));
      done(itemFile.projectFiles, filesItem);

      const release = (await p.project.readReleases())[0] ?? null;
      const finished = p.clock.now();
      const manifest: BackupManifest = manifestSchema.parse({
        format: 1,
        backupId,
        projectId: facts.projectId,
        kind: input.kind,
        startedBy: input.startedBy,
        startedAt: started.toISOString(),
        finishedAt: finished.toISOString(),
        durationMs: finished.getTime() - started.getTime(),
        consistency: facts.external.length > 0 ? CONSISTENCY_EXTERNAL : CONSISTENCY,
        release: release ? { version: release.version, digests: release.digests, color: release.color, at: release.at } : null,
        databases,
        volumes,
        projectFiles: { ...filesItem, files: Object.keys(files).sort() },
      });
      stopIfCancelled(input.signal, 'the backup was completed');
      const m = await store(itemFile.manifest, Readable.from([Buffer.from(JSON.stringify(manifest))]), [tags.manifest]);
      p.events.emit({ step: 'backup', status: 'succeeded', data: { item: itemFile.manifest, backupId, snapshotId: m.snapshotId } });
      return { manifest, manifestSnapshot: m.snapshotId };
    } catch (err) {
      // Parts without a manifest are never listed; forget them so they take no room either.
      await p.repo.forget(stored).catch(() => undefined);
      throw err;
    }
  };
  return input.lockHeld ? run() : underLock(p, 'backup', run);
}

/** A JSON file of one snapshot (the manifest, the project files), parsed; undefined when it is not JSON. */
export async function dumpJson(p: Pick<BackupPorts, 'repo'>, snapshotId: string, file: string, signal?: AbortSignal): Promise<unknown> {
  const { stream, done } = p.repo.dump(snapshotId, `/${file}`, signal);
  const text = capture(stream);
  await Promise.all([done, finished(stream)]);
  try {
    return JSON.parse(text()) as unknown;
  } catch {
    return undefined;
  }
}

/** Reads and checks a backup's manifest from the repository. */
export async function readManifest(p: Pick<BackupPorts, 'repo'>, snapshotId: string, signal?: AbortSignal): Promise<BackupManifest> {
  const found = (await p.repo.snapshots([tags.manifest])).find((s) => s.id === snapshotId || s.shortId === snapshotId || s.id.startsWith(snapshotId));
  if (!found) throw new BackupError('BACKUP_NOT_FOUND', `There is no complete backup ${snapshotId} in the repository.`);
  const raw = await dumpJson(p, found.id, itemFile.manifest, signal);
  if (raw === undefined) throw new BackupError('BACKUP_MANIFEST_INVALID', `The manifest of backup ${snapshotId} cannot be read.`);
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw new BackupError('BACKUP_MANIFEST_INVALID', `The manifest of backup ${snapshotId} is not one this console wrote.`);
  // The tag and the manifest must agree: either alone could be a mistake.
  if (!found.tags.includes(tags.project(parsed.data.projectId))) throw new BackupError('BACKUP_MANIFEST_INVALID', `Backup ${snapshotId} is tagged for another project than its manifest names.`);
  return parsed.data;
}

/** The writers of the database and the volumes, in the order they are stopped. */
function writerNames(projectId: string): string[] {
  const colour = (service: RotatableService) => (['blue', 'green'] as Color[]).map((c) => containerName(projectId, service, c));
  return [...colour('platform'), ...colour('rag'), ...colour('crawler'), containerName(projectId, 'convex', null)];
}

/** The release a backup recorded (version and image digests), which a restore brings back. */
export type RecordedRelease = NonNullable<BackupManifest['release']>;

export interface RestoreInput {
  manifest: BackupManifest;
  signal?: AbortSignal;
  /**
   * Runs under the deployment lock once the backup is checked and before the first change (the
   * safety backup of the current state, server/services/backups.ts): when it throws, nothing has
   * been changed and the restore fails with its error.
   */
  beforeChanges?: () => Promise<void>;
  /**
   * Writers an earlier restore stopped and never started again (it was interrupted or failed):
   * they are started with the ones running now, so a second restore leaves none stopped.
   */
  stoppedBefore?: string[];
  /**
   * Deploys the backup's recorded release by digest when it differs from the live one, under the
   * lock this restore holds, and waits for its health gate; resolves with the colour that serves.
   */
  deployRelease?: (release: RecordedRelease) => Promise<{ color: Color }>;
  /**
   * The caller already holds the deployment lock (a restore into a fresh host, which deploys the
   * recorded release first under the same lock): the lock is not re-entrant.
   */
  lockHeld?: boolean;
}

/** Whether the live release (the newest record) is not the one the backup recorded. */
export function releaseDiffers(recorded: BackupManifest['release'], live: { version: string; digests: Record<string, string> } | undefined): boolean {
  if (!recorded) return false;
  if (!live || live.version !== recorded.version) return true;
  const keys = new Set([...Object.keys(recorded.digests), ...Object.keys(live.digests)]);
  return [...keys].some((k) => recorded.digests[k] !== live.digests[k]);
}

/**
 * Restores a backup of this project: stops every writer (both colours' platform, rag and crawler,
 * and convex; the db keeps running), replaces each database from its dump, empties and refills
 * each volume, then starts the writers that ran before and waits for them to be healthy. A
 * failure half-way leaves the writers stopped and says exactly what was and was not restored.
 */
export async function runRestore(p: BackupPorts, input: RestoreInput): Promise<{ databases: string[]; volumes: string[]; restarted: string[]; release: string | null }> {
  const { manifest, signal } = input;
  const locked = <T>(run: () => Promise<T>) => (input.lockHeld ? run() : underLock(p, 'restore', run));
  return locked(async () => {
    const facts = await deploymentFacts(p, { stoppedClients: true });
    if (manifest.projectId !== facts.projectId) {
      throw new BackupError('BACKUP_OTHER_PROJECT', `That backup belongs to project ${manifest.projectId}, not to this one (${facts.projectId}): nothing was changed.`);
    }
    // Where each database goes back to, decided before anything changes.
    const bundled = bundledSite(p, facts.db, facts.superuser);
    const sites = new Map<string, PgSite>();
    for (const d of manifest.databases) {
      const source = d.source ?? { kind: 'bundled' as const };
      if (source.kind === 'bundled') {
        if (!facts.bundledRunning) {
          throw new BackupError('BACKUP_DB_NOT_RUNNING', `The backup's database ${d.name} came from the bundled db, and its container (${facts.db}) is not running: nothing was changed.`);
        }
        sites.set(d.name, bundled);
        continue;
      }
      const target = facts.external.find((e) => e.name === d.name && e.host === source.host && e.port === source.port);
      if (!target) {
        throw new BackupError(
          'RESTORE_EXTERNAL_DB_MISSING',
          `The backup's database ${d.name} came from the external PostgreSQL at ${serverLabel(source)}, which no service of this stack uses now: nothing was changed. Point the stack at that server again (the external-database wizard), deploy, then restore.`,
        );
      }
      sites.set(d.name, externalSite(p, facts, target));
    }
    stopIfCancelled(signal, 'anything was changed');
    await input.beforeChanges?.();
    stopIfCancelled(signal, 'anything was changed');
    const settings = engineSettings(facts.env);

    // The writers running now, and those an earlier restore left stopped that still exist: all of
    // them run again at the end.
    const running: string[] = [];
    for (const name of writerNames(facts.projectId)) {
      const details = await p.docker.inspectContainer(name);
      if (details?.running || (details && input.stoppedBefore?.includes(name))) running.push(name);
    }
    p.events.emit({ step: 'restore', status: 'started', data: { item: 'stop-writers', containers: running } });
    for (const name of running) await p.docker.stopContainer(name, settings.drainTimeoutSeconds);
    p.events.emit({ step: 'restore', status: 'succeeded', data: { item: 'stop-writers', containers: running } });

    const restoredDbs: string[] = [];
    const restoredVolumes: string[] = [];
    const stateOf = (failedAt: string, err: unknown) => {
      const pendingDbs = manifest.databases.map((d) => d.name).filter((n) => !restoredDbs.includes(n));
      const pendingVolumes = manifest.volumes.map((v) => v.key).filter((k) => !restoredVolumes.includes(k));
      const why = err instanceof Error ? err.message : String(err);
      return new BackupError(
        'RESTORE_FAILED',
        `The restore stopped at ${failedAt}: ${why} ` +
          `Restored: ${[...restoredDbs, ...restoredVolumes].join(', ') || 'nothing'}. Not restored: ${[...pendingDbs, ...pendingVolumes].join(', ') || 'nothing'}. ` +
          `The writers stay stopped (${running.join(', ') || 'none were running'}) so nothing writes into a half-restored state: run the restore again to finish it.`,
        { cause: err },
      );
    };

    for (const db of manifest.databases) {
      const item = itemFile.database(db.name);
      try {
        stopIfCancelled(signal, `database ${db.name} was restored`);
        const site = sites.get(db.name)!;
        p.events.emit({ step: 'restore', status: 'started', data: { item, ...(site.external ? { server: serverLabel(site.external) } : {}) } });
        if (site.external) {
          await restoreExternalDatabase(p, site, db.name, db.snapshotId, item, signal);
        } else {
          await psql(site, 'postgres', `DROP DATABASE IF EXISTS ${ident(db.name)} WITH (FORCE)`);
          await restoreDatabase(p, facts.db, facts.superuser, db.snapshotId, item, signal);
        }
        const now = await inventory(site, db.name);
        const differ = db.tables.filter((t) => now.find((n) => n.schema === t.schema && n.table === t.table)?.rows !== t.rows);
        if (differ.length > 0) {
          throw new BackupError('RESTORE_ROWS_DIFFER', `row counts differ from the backup's in ${differ.map((t) => `${t.schema}.${t.table}`).join(', ')}.`);
        }
        restoredDbs.push(db.name);
        p.events.emit({ step: 'restore', status: 'succeeded', data: { item, tables: now.length } });
      } catch (err) {
        p.events.emit({ step: 'restore', status: 'failed', data: { item } });
        throw stateOf(db.name, err);
      }
    }

    const helperVolumes = manifest.volumes.map((v) => ({ key: v.key, name: volumeName(facts.projectId, v.key) }));
    try {
      await p.volumes.withHelper({ image: facts.image, name: `${facts.projectId}-restore-helper`, volumes: helperVolumes, readOnly: false, labels: helperLabels(facts.projectId) }, async (helper) => {
        stopIfCancelled(signal, 'the volumes were restored');
        if (helperVolumes.length) await helper.empty();
        for (const v of manifest.volumes) {
          const item = itemFile.volume(v.key);
          p.events.emit({ step: 'restore', status: 'started', data: { item } });
          const { stream, done } = p.repo.dump(v.snapshotId, `/${item}`, signal);
          const counted = countBytes(stream, progress(p, 'restore', item));
          await Promise.all([helper.write(v.key, counted), done]);
          restoredVolumes.push(v.key);
          p.events.emit({ step: 'restore', status: 'succeeded', data: { item } });
        }
      });
    } catch (err) {
      throw stateOf('the volumes', err);
    }

    const live = (await p.project.readReleases())[0];
    if (input.deployRelease && manifest.release && releaseDiffers(manifest.release, live)) {
      // The data is the backup's; so must be the code that runs on it: the writers stay stopped
      // (a newer release must not migrate the restored data) and the recorded release is deployed
      // by digest as a new colour, which also recreates the stopped convex at that release.
      const release = manifest.release;
      const data = { item: 'release', version: release.version, from: live?.version ?? null };
      p.events.emit({ step: 'restore', status: 'started', data });
      const { color } = await input.deployRelease(release);
      // The old colour's stopped writers: the deploy served from a new colour, so they go.
      const leftovers = running.filter((n) => n !== containerName(facts.projectId, 'convex', null) && !n.endsWith(`-${color}`));
      for (const name of leftovers) await p.docker.removeContainer(name).catch(() => undefined);
      p.events.emit({ step: 'restore', status: 'succeeded', data: { ...data, color, removed: leftovers } });
      return { databases: restoredDbs, volumes: restoredVolumes, restarted: [], release: release.version };
    }

    p.events.emit({ step: 'restore', status: 'started', data: { item: 'start-writers', containers: running } });
    // The stopping order reversed: convex and the back ends before the platform that needs them.
    for (const name of [...running].reverse()) await p.docker.startContainer(name);
    const failure = await waitHealthy(p.docker, p.clock, p.events, running, {
      deadline: p.clock.now().getTime() + settings.healthCheckTimeoutSeconds * 1000,
      pollMs: settings.healthPollMs,
      unhealthyGraceMs: settings.unhealthyGraceMs,
      signal,
    });
    if (failure) throw new BackupError('RESTORE_UNHEALTHY', `Everything was restored, but ${failure.message} after the restart.`);
    p.events.emit({ step: 'restore', status: 'succeeded', data: { item: 'start-writers', containers: running } });
    return { databases: restoredDbs, volumes: restoredVolumes, restarted: running, release: null };
  });
}

/** Passes a stream through (with backpressure), reporting the bytes seen. */
export function countBytes(stream: Readable, onBytes: (n: number) => void): Readable {
  let n = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      onBytes((n += chunk.length));
      callback(null, chunk);
    },
  });
  stream.on('error', (err) => counter.destroy(err));
  return stream.pipe(counter);
}

/**
 * restic's dump of one database streamed into psql in `container` (restore and drill alike); resolves
 * with psql's exit code and what it wrote to stderr. The dump's own CREATE DATABASE runs in it.
 */
export async function dumpIntoPsql(
  p: Pick<BackupPorts, 'exec' | 'repo' | 'events' | 'clock'>,
  container: string,
  argv: string[],
  at: { snapshotId: string; item: string; step: 'restore' | 'drill' },
  signal: Signal,
): Promise<{ code: number | null; stderr: string }> {
  const run = await p.exec.start(container, argv, { stdin: true });
  const stdin = run.stdin!;
  stdin.on('error', () => undefined); // psql may exit first; its exit code says why
  const err = capture(run.stderr);
  run.stdout.resume();
  const { stream, done } = p.repo.dump(at.snapshotId, `/${at.item}`, signal);
  countBytes(stream, progress(p, at.step, at.item)).pipe(stdin);
  try {
    await done;
  } catch (e) {
    run.abort();
    throw e;
  }
  return { code: await run.exit, stderr: err() };
}

/**
 * An external database restored as the services' role, which does not own it: every relation the
 * role owns there is dropped first, then the dump (DROP … IF EXISTS before each object, no CREATE
 * DATABASE) is replayed into it. Errors on what the admin owns (its schemas and extensions, which
 * stay) are expected; any other fails the restore, and the row counts are checked after.
 */
async function restoreExternalDatabase(p: BackupPorts, site: PgSite, name: string, snapshotId: string, item: string, signal: Signal): Promise<void> {
  await psql(site, name, DROP_OWNED_RELATIONS);
  const argv = psqlArgv(site.user, name).filter((a) => a !== '--set=ON_ERROR_STOP=1');
  const { code, stderr } = await dumpIntoPsql({ ...p, exec: site.exec }, site.container, argv, { snapshotId, item, step: 'restore' }, signal);
  if (code !== 0) throw externalFailure({ ...site.external!, name }, 'psql', code, stderr);
  const errors = unexpectedReplayErrors(stderr);
  if (errors.length > 0) throw new BackupError('RESTORE_FAILED', `psql on ${site.container} reported ${errors.length} error(s): ${errors.slice(0, 3).join('; ')}`);
}

/** restic's dump of one database streamed into psql, which stops at the first error. */
async function restoreDatabase(p: BackupPorts, container: string, superuser: string, snapshotId: string, item: string, signal: Signal): Promise<void> {
  const { code, stderr } = await dumpIntoPsql(p, container, psqlArgv(superuser, 'postgres'), { snapshotId, item, step: 'restore' }, signal);
  if (code !== 0) throw new BackupError('RESTORE_FAILED', `psql failed: ${lastLine(stderr) || `exit ${code}`}`);
}
