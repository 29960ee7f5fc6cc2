import { randomBytes } from 'node:crypto';
import { containerName } from '../stack/stack-names';
import { INVENTORY_SQL, parseInventory, type TableCount } from '../postgres/bundled-copy-plan';
import { assertIdentifier, ident, literal } from '../postgres/identifiers';
import { scrub, scrubForms, secretValues } from '../operations/redact-secrets';
import { BackupError } from './backup-error';
import { capture, dumpIntoPsql, lastLine, psqlArgv } from './backup-engine';
import { itemFile, type BackupManifest } from './manifest';
import type { BackupPorts } from './ports';

// The restore drill (docs/backups.md#restore-drill): proves a backup restorable without touching
// the live stack. Each database's dump is streamed from `restic dump` into psql in a throwaway
// PostgreSQL made from the stack's own db image (already on the host: never pulled), on an
// internal network of its own with no published port, and the row count of every table is
// compared with the count the manifest recorded at backup time. The container and the network are
// removed whatever happens; both carry the drill's labels, so a console killed mid-drill finds and
// removes them at its next start (removeLeftovers).

/** Labels of everything a drill creates: how the start-up clean-up finds a crashed console's leftovers. */
export const DRILL_LABELS = { 'io.tale.console.managed': 'true', 'io.tale.console.role': 'restore-drill' } as const;

export interface SandboxSpec {
  /** Names the container and its network. */
  name: string;
  image: string;
  env: Record<string, string>;
  labels: Record<string, string>;
}

/** A throwaway PostgreSQL on an internal network of its own. */
export interface DrillSandbox {
  /** Creates the internal network and the container on it, and starts the container. */
  create(spec: SandboxSpec): Promise<void>;
  /** Removes the container (with its anonymous volumes) and the network; absent ones are no error. */
  remove(name: string): Promise<void>;
  /** Removes every container and network carrying DRILL_LABELS and this console's project label; answers which. */
  removeLeftovers(): Promise<{ containers: string[]; networks: string[] }>;
  /** null while the container runs; once it has stopped, how it ended and its last log lines. */
  exited(name: string, tail: number): Promise<SandboxExit | null>;
}

export interface SandboxExit {
  exitCode: number | null;
  /** Docker's OOMKilled: the kernel killed it for memory. */
  oomKilled: boolean;
  /** Docker's State.Error (a start that failed), when it has one. */
  error: string | null;
  /** The last lines it wrote, stdout and stderr in order. */
  logs: string[];
  /** The container is not there at all: something else removed it (a console's start-up, a person). */
  removed?: boolean;
}

export type DrillPorts = BackupPorts & { sandbox: DrillSandbox };

export interface TableDifference {
  database: string;
  schema: string;
  table: string;
  /** Rows at backup time. */
  expected: number;
  /** Rows after the restore; null when the table is not there at all. */
  restored: number | null;
}

/**
 * Every table of the manifest whose restored row count is not the recorded one. Tables the restore
 * has and the manifest does not (made by the image's own init scripts) are not differences.
 */
export function compareCounts(database: string, expected: readonly TableCount[], restored: readonly TableCount[]): TableDifference[] {
  const found = new Map(restored.map((t) => [`${t.schema}.${t.table}`, t.rows]));
  return expected
    .map((t) => ({ database, schema: t.schema, table: t.table, expected: t.rows, restored: found.get(`${t.schema}.${t.table}`) ?? null }))
    .filter((d) => d.restored !== d.expected);
}

export function describeDifference(d: TableDifference): string {
  const where = `${d.database}.${d.schema}.${d.table}`;
  return d.restored === null ? `${where} (${d.expected} rows in the backup, missing after the restore)` : `${where} (${d.expected} rows in the backup, ${d.restored} restored)`;
}

export interface DrillResult {
  passed: true;
  snapshot: string;
  backupId: string;
  durationMs: number;
  databases: number;
  tables: number;
  /** psql errors seen while the dumps were replayed (the counts decide; these say why they differ). */
  errors: string[];
}

/** How long the throwaway server may take to accept connections and finish its image's init scripts. */
const READY_TIMEOUT_MS = 120_000;
/** After psql answers, how long to wait for the marker Tale's db image writes when its init scripts are done. */
const INIT_MARKER_WAIT_MS = 60_000;
const POLL_MS = 500;

async function exitCode(p: DrillPorts, container: string, argv: string[]): Promise<number | null> {
  const run = await p.exec.start(container, argv);
  run.stdout.resume();
  run.stderr.resume();
  return run.exit;
}

async function waitReady(p: DrillPorts, container: string, superuser: string, signal: AbortSignal | undefined): Promise<{ initMarker: boolean }> {
  const start = p.clock.now().getTime();
  const elapsed = () => p.clock.now().getTime() - start;
  while ((await exitCode(p, container, psqlArgv(superuser, 'postgres', 'SELECT 1'))) !== 0) {
    if (elapsed() > READY_TIMEOUT_MS) throw new BackupError('DRILL_FAILED', `The throwaway PostgreSQL did not accept connections within ${READY_TIMEOUT_MS / 1000} s.`);
    await p.clock.sleep(POLL_MS, signal);
  }
  // Tale's db image runs its init scripts (CREATE DATABASE tale_platform …) in the background after
  // the server answers: a database dropped and restored before they end would race them.
  const ready = elapsed();
  while ((await exitCode(p, container, ['test', '-f', '/tmp/.db_ready'])) !== 0) {
    if (elapsed() - ready > INIT_MARKER_WAIT_MS) return { initMarker: false };
    await p.clock.sleep(POLL_MS, signal);
  }
  return { initMarker: true };
}

/** How many of the throwaway server's last log lines a failure quotes. */
const EXIT_LOG_LINES = 15;

/**
 * When the throwaway server has stopped (PostgreSQL exited during its init scripts, or was killed
 * for memory), every later exec fails with Docker's 409 "container … is not running", which says
 * nothing about why. This turns that into DRILL_FAILED saying it exited, how, and quoting its last
 * log lines, scrubbed of the passwords the drill gave it. null while it still runs.
 */
export async function sandboxExitError(p: DrillPorts, name: string, secrets: readonly string[]): Promise<BackupError | null> {
  const exit = await p.sandbox.exited(name, EXIT_LOG_LINES).catch(() => null);
  if (!exit) return null;
  const how = exit.removed
    ? 'was removed by something else (another console removing drill leftovers at its start, or by hand)'
    : exit.oomKilled
      ? 'killed for lack of memory (OOMKilled)'
      : exit.exitCode === null
        ? 'stopped'
        : `exited with code ${exit.exitCode}`;
  const lines = exit.logs.slice(-EXIT_LOG_LINES).map((l) => scrub(l, secrets).slice(0, 300));
  const said = exit.removed ? '' : lines.length ? ` Its last log lines:\n${lines.join('\n')}` : ' It wrote no log line.';
  const error = exit.error ? ` Docker says: ${scrub(exit.error, secrets)}.` : '';
  return new BackupError('DRILL_FAILED', `The throwaway PostgreSQL ${how} before the drill was done, so the backup was not checked (nothing live was touched).${error}${said}`);
}

async function psqlOut(p: DrillPorts, container: string, superuser: string, database: string, command: string): Promise<string> {
  const run = await p.exec.start(container, psqlArgv(superuser, database, command));
  const out = capture(run.stdout);
  const err = capture(run.stderr);
  const code = await run.exit;
  if (code !== 0) throw new BackupError('DRILL_FAILED', `psql in the throwaway PostgreSQL failed: ${lastLine(err()) || `exit ${code}`}`);
  return out();
}

/** A replay's deadline: generous for a small dump (a loaded CI host), scaled for a large one. */
const REPLAY_MIN_MS = 300_000;
/** The slowest replay rate the deadline allows for: 256 KB/s (12 MB replay in ~10 s on an idle host). */
const REPLAY_MIN_BYTES_PER_S = 256 * 1024;
export function replayDeadlineMs(bytes: number): number {
  return Math.max(REPLAY_MIN_MS, Math.ceil(bytes / REPLAY_MIN_BYTES_PER_S) * 1000);
}

/** What a replay got to, for the message when it misses its deadline. */
interface ReplayWatch {
  /** Bytes of the dump streamed into psql (as last reported by the progress events). */
  bytes: number;
  dumpEnded: boolean;
  psqlExited: boolean;
  /** The replay's psql exec, to cut when the deadline passes. */
  abort: (() => void) | null;
}

/**
 * The ports one replay runs with: the same ones, watched, so that a replay that stalls (once seen
 * under load: unfinished after 285 s where 10 s do alone) is reported with where it stood (bytes
 * sent, restic's dump ended or not, psql exited or not) instead of hanging the drill.
 */
function watchedPorts(p: DrillPorts, watch: ReplayWatch): DrillPorts {
  const repo = Object.assign(Object.create(p.repo) as typeof p.repo, {
    dump: (...args: Parameters<typeof p.repo.dump>) => {
      const d = p.repo.dump(...args);
      d.done.then(() => (watch.dumpEnded = true), () => undefined);
      return d;
    },
  });
  const exec = {
    start: async (...args: Parameters<typeof p.exec.start>) => {
      const run = await p.exec.start(...args);
      if (args[2]?.stdin) {
        watch.abort = run.abort;
        run.exit.then(() => (watch.psqlExited = true), () => (watch.psqlExited = true));
      }
      return run;
    },
  };
  const events = {
    emit: (e: Parameters<typeof p.events.emit>[0]) => {
      if (e.step === 'drill' && e.status === 'progress' && typeof e.data?.bytes === 'number') watch.bytes = e.data.bytes;
      p.events.emit(e);
    },
  };
  return { ...p, repo, exec, events };
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/**
 * Replays one dump into the throwaway server. Unlike a restore, psql does not stop at the first
 * error: a truncated or damaged dump then still restores what it can, and the row counts name
 * every table it lost instead of one psql message. Past its deadline it fails DRILL_TIMEOUT,
 * naming the dump and where the replay stood; the caller then removes the throwaway server.
 */
async function replay(
  p: DrillPorts,
  container: string,
  superuser: string,
  at: { snapshotId: string; item: string; bytes: number; timeoutMs: number },
  signal: AbortSignal | undefined,
  database = 'postgres',
): Promise<string[]> {
  const { snapshotId, item } = at;
  // Without ON_ERROR_STOP psql replays the rest after an error, so the counts name every table lost.
  const argv = psqlArgv(superuser, database).filter((a) => a !== '--set=ON_ERROR_STOP=1');
  const watch: ReplayWatch = { bytes: 0, dumpEnded: false, psqlExited: false, abort: null };
  // Its own controller: the deadline stops restic's dump as a cancel does.
  const controller = new AbortController();
  const cancel = () => controller.abort();
  signal?.addEventListener('abort', cancel, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    // A real timer, not the clock port: a replay is real time spent in Docker and restic.
    timer = setTimeout(() => {
      controller.abort();
      watch.abort?.();
      const where = `${mb(watch.bytes)} of ${mb(at.bytes)} streamed into psql; restic's dump ${watch.dumpEnded ? 'had ended' : 'had not ended'}; psql ${watch.psqlExited ? 'had exited' : 'had not exited'}`;
      reject(new BackupError('DRILL_TIMEOUT', `The restore drill's replay of ${item} did not finish within ${Math.round(at.timeoutMs / 1000)} s (${where}). The throwaway PostgreSQL was removed; nothing live was touched.`));
    }, at.timeoutMs);
  });
  const work = dumpIntoPsql(watchedPorts(p, watch), container, argv, { snapshotId, item, step: 'drill' }, controller.signal);
  // After a deadline the replay still settles (its exec ends with the removed server): observed.
  work.catch(() => undefined);
  try {
    const { code, stderr } = await Promise.race([work, deadline]);
    const errors = stderr
      .split('\n')
      .filter((l) => /\bERROR:/.test(l))
      .map((l) => l.trim().slice(0, 300));
    if (code !== 0 && errors.length === 0) throw new BackupError('DRILL_FAILED', `psql could not replay ${item}: ${lastLine(stderr) || `exit ${code}`}`);
    return errors;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', cancel);
  }
}

export interface DrillInput {
  /** The manifest's snapshot: the backup's id as listed. */
  snapshot: string;
  manifest: BackupManifest;
  signal?: AbortSignal;
  /** Each replay's deadline given the dump's size; replayDeadlineMs by default. */
  replayDeadline?: (bytes: number) => number;
}

/**
 * Restores the backup's databases into a throwaway PostgreSQL and compares every table's row
 * count with the manifest's. Passes with the figures, or throws DRILL_ROWS_DIFFER naming each
 * table that differs and by how much. The volumes are not part of a drill: restic verifies their
 * bytes (the integrity check); the databases are what a dump can get wrong.
 */
export async function runDrill(p: DrillPorts, input: DrillInput): Promise<DrillResult> {
  const { manifest } = input;
  const started = p.clock.now().getTime();
  const projectId = await p.project.readProjectId();
  if (manifest.projectId !== projectId) {
    throw new BackupError('BACKUP_OTHER_PROJECT', `That backup belongs to project ${manifest.projectId}, not to this one (${projectId}).`);
  }
  const env = await p.project.readEnv();
  const superuser = assertIdentifier(env.DB_USER || 'tale');
  // With an external database there is no db container; the stack's db image is still on the host.
  const image = (await p.docker.inspectContainer(containerName(projectId, 'db', null)))?.image ?? (await p.stackDbImage?.()) ?? null;
  if (!image) throw new BackupError('DRILL_FAILED', `The drill runs the stack's db image, and there is no db container (${containerName(projectId, 'db', null)}) nor image of it on this host to take it from.`);

  const name = `tale-drill-${randomBytes(6).toString('hex')}`;
  // Never the live password: the throwaway server has its own, and nothing outside its network reaches it.
  const password = randomBytes(24).toString('base64url');
  p.events.emit({ step: 'drill', status: 'started', data: { item: 'sandbox', image } });
  try {
    return await drillIn(p, { ...input, name, password, superuser, projectId, image, dbName: env.DB_NAME || 'tale', started });
  } catch (err) {
    // A failure the drill explains itself (a difference, a cancel) stays as it is; any other one
    // (Docker's 409 on an exec, a psql that lost its server) is first checked against the server
    // having died, which is then what the operator is told, while its logs can still be read.
    if (err instanceof BackupError && (err.code === 'DRILL_ROWS_DIFFER' || err.code === 'CANCELLED' || err.code === 'DRILL_TIMEOUT')) throw err;
    const secrets = [...scrubForms([password]), ...secretValues(env)].sort((a, b) => b.length - a.length);
    throw (await sandboxExitError(p, name, secrets)) ?? err;
  } finally {
    await p.sandbox.remove(name);
    p.events.emit({ step: 'drill', status: 'succeeded', data: { item: 'removed', container: name } });
  }
}

async function drillIn(
  p: DrillPorts,
  input: DrillInput & { name: string; password: string; superuser: string; projectId: string; image: string; dbName: string; started: number },
): Promise<DrillResult> {
  const { manifest, signal, name, password, superuser, projectId, started } = input;
  await p.sandbox.create({
    name,
    image: input.image,
    // PGCTLTIMEOUT: the image's entrypoint starts and stops a temporary server around its first
    // initdb with `pg_ctl -w` (Tale's wrapper, the fixture and the postgres image alike), which
    // gives up after 60 s by default, and the entrypoint then exits: on a loaded host the drill
    // met a stopped container (Docker's 409 on the next exec). As long as the drill waits, then.
    env: { DB_USER: superuser, DB_NAME: input.dbName, DB_PASSWORD: password, POSTGRES_USER: superuser, POSTGRES_PASSWORD: password, PGCTLTIMEOUT: String(READY_TIMEOUT_MS / 1000) },
    labels: { ...DRILL_LABELS, project: projectId, 'io.tale.console.backup': manifest.backupId },
  });
  const { initMarker } = await waitReady(p, name, superuser, signal);
  p.events.emit({ step: 'drill', status: 'succeeded', data: { item: 'sandbox', initScripts: initMarker ? 'done' : 'no marker' } });

  const differences: TableDifference[] = [];
  const errors: string[] = [];
  let tables = 0;
  for (const d of manifest.databases) {
    if (signal?.aborted) throw new BackupError('CANCELLED', `Cancelled by a user before database ${d.name} was checked.`);
    const item = itemFile.database(d.name);
    p.events.emit({ step: 'drill', status: 'started', data: { item } });
    await psqlOut(p, name, superuser, 'postgres', `DROP DATABASE IF EXISTS ${ident(assertIdentifier(d.name))} WITH (FORCE)`);
    // An external server's dump has no CREATE DATABASE (the services' role could not run it there): the drill makes it.
    const external = d.source?.kind === 'external';
    if (external) await psqlOut(p, name, superuser, 'postgres', `CREATE DATABASE ${ident(d.name)}`);
    const timeoutMs = (input.replayDeadline ?? replayDeadlineMs)(d.bytes);
    const seen = await replay(p, name, superuser, { snapshotId: d.snapshotId, item, bytes: d.bytes, timeoutMs }, signal, external ? d.name : 'postgres');
    errors.push(...seen.slice(0, 5).map((e) => `${d.name}: ${e}`));
    // A dump cut before its CREATE DATABASE leaves no database at all: every table is missing.
    const exists = (await psqlOut(p, name, superuser, 'postgres', `SELECT 1 FROM pg_database WHERE datname = ${literal(d.name)}`)).trim() === '1';
    const restored = exists ? parseInventory(await psqlOut(p, name, superuser, d.name, INVENTORY_SQL)).tables : [];
    const differ = compareCounts(d.name, d.tables, restored);
    differences.push(...differ);
    tables += d.tables.length;
    p.events.emit({ step: 'drill', status: differ.length ? 'failed' : 'succeeded', data: { item, tables: d.tables.length, differences: differ, errors: seen.length } });
  }
  if (differences.length > 0) {
    const listed = differences.slice(0, 10).map(describeDifference).join('; ');
    const more = differences.length > 10 ? ` and ${differences.length - 10} more` : '';
    throw new BackupError('DRILL_ROWS_DIFFER', `The restore drill failed: row counts differ from the backup's in ${listed}${more}.`);
  }
  return { passed: true, snapshot: input.snapshot, backupId: manifest.backupId, durationMs: p.clock.now().getTime() - started, databases: manifest.databases.length, tables, errors };
}
