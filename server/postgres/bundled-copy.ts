import type { Readable } from 'node:stream';
import type { CopyEventDto, CopySummaryDto, CopyTableDto } from '@/lib/dto/external-database';
import { CodedError } from '@/lib/errors';
import type { ExecRunner } from '../docker/exec-stream';
import { queryError, withClient, type ConnectTarget } from './connection';
import {
  COPY_DATABASES,
  compareInventories,
  copyRefusal,
  DumpRewriter,
  dumpArgv,
  INVENTORY_SQL,
  inventoryArgv,
  parseInventory,
  restoreArgv,
  restoreEnv,
  restoreErrorLine,
  tallyTag,
  type CopyDatabase,
  type CopyRefusal,
  type Inventory,
  type RestoreTarget,
  type RestoreTally,
} from './bundled-copy-plan';
import { PostgresError } from './postgres-error';

// Copies tale_platform and tale_knowledge from the bundled db container to the external server.
//
// Where the tools run: the console image has no PostgreSQL client, and the bundled db container
// has all of them in the version that wrote the data. So pg_dump runs there against its own
// server, and psql runs there too, connecting out to the external server with the service role
// (credentials in the exec's environment, not its argv). The dump streams through the console
// between the two execs: no temporary file anywhere, bytes counted as they pass, and psql's
// command tags give objects and rows. The external server must therefore be reachable from the
// bundled db container, as it must be from Tale's other containers once configured.
//
// All or nothing per database: psql gets `BEGIN;` first and `COMMIT;` only after pg_dump exited
// with 0. An error stops psql (ON_ERROR_STOP) and a dump that breaks off ends psql's input without
// COMMIT; either way the server rolls the transaction back when psql disconnects.

export interface CopyOptions {
  exec: ExecRunner;
  /** `<projectId>-db`. */
  container: string;
  /** The bundled db's superuser (DB_USER, default tale). */
  sourceUser: string;
  /** The external server as the console reaches it, with the service role's credentials. */
  target: RestoreTarget;
  onEvent: (event: CopyEventDto) => void;
  /** A cancel, checked before each database: one being copied is not cut off half-way. */
  signal?: AbortSignal;
}

const MAX_STDERR = 16 * 1024;

/** Our own error, not the signal's reason: that one may be an instance of another bundle's CodedError. */
function stopIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new CodedError('CANCELLED', `Cancelled by a user before ${what} was copied.`);
}

function collect(stream: Readable): () => string {
  let text = '';
  stream.on('data', (c: Buffer) => {
    if (text.length < MAX_STDERR) text += c.toString('utf8');
  });
  return () => text;
}

function onLines(stream: Readable, fn: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (c: string) => {
    const parts = (rest + c).split('\n');
    rest = parts.pop() ?? '';
    for (const p of parts) fn(p);
  });
  stream.on('end', () => rest && fn(rest));
}

async function sourceInventory(opts: CopyOptions, database: CopyDatabase): Promise<Inventory> {
  const run = await opts.exec.start(opts.container, inventoryArgv(database, opts.sourceUser));
  const out = collect(run.stdout);
  const err = collect(run.stderr);
  const code = await run.exit;
  if (code !== 0) {
    throw new PostgresError('PG_FAILED', `Reading ${database} in the bundled db failed: ${restoreErrorLine(err()) ?? `psql exited with ${code}`}`);
  }
  return parseInventory(out());
}

function targetConnection(t: RestoreTarget, database: CopyDatabase): ConnectTarget {
  return { host: t.host, port: t.port, user: t.role, password: t.password, database, sslMode: t.sslMode, caCert: t.caCert };
}

async function targetInventory(t: RestoreTarget, database: CopyDatabase): Promise<Inventory> {
  return withClient(targetConnection(t, database), async (client) => {
    const r = await client.query<{ inv: unknown }>(`SELECT (${INVENTORY_SQL})::text AS inv`);
    return parseInventory(String(r.rows[0]?.inv ?? ''));
  });
}

/** Copies one database; exported for the unit test of its all-or-nothing ending. */
export async function copyOne(opts: CopyOptions, database: CopyDatabase): Promise<{ bytes: number } & RestoreTally> {
  const restore = await opts.exec.start(opts.container, restoreArgv(), { env: restoreEnv(opts.target, database), stdin: true });
  const stdin = restore.stdin!;
  stdin.on('error', () => undefined); // psql may exit first; its exit code tells why
  const restoreErr = collect(restore.stderr);
  const tally: RestoreTally = { objects: 0, rows: 0 };
  const rewriter = new DumpRewriter();
  onLines(restore.stdout, (line) => {
    const before = tally.objects;
    tallyTag(tally, line);
    if (tally.objects !== before) opts.onEvent({ type: 'progress', database, bytes: rewriter.bytes, ...tally });
  });

  let dump;
  try {
    dump = await opts.exec.start(opts.container, dumpArgv(database, opts.sourceUser));
  } catch (err) {
    restore.abort();
    throw err;
  }
  const dumpErr = collect(dump.stderr);
  stdin.write('BEGIN;\n');
  dump.stdout.pipe(rewriter);
  rewriter.pipe(stdin, { end: false });
  const dumped = Promise.all([dump.exit, new Promise<void>((resolve, reject) => rewriter.on('end', resolve).on('error', reject))]).then(([code]) => ({ dumped: true as const, code }));
  const restoreEnded = restore.exit.then((code) => ({ dumped: false as const, code }));
  let first;
  try {
    first = await Promise.race([dumped, restoreEnded]);
  } catch (err) {
    // A broken connection to the Engine: cut both, psql's transaction dies uncommitted.
    dump.abort();
    restore.abort();
    throw err;
  }

  const restoreFailure = (code: number | null) =>
    new PostgresError('PG_FAILED', `Restoring ${database} on the external server failed; nothing of it was kept: ${restoreErrorLine(restoreErr()) ?? `psql exited with ${code}`}`);
  if (!first.dumped) {
    dump.abort();
    throw restoreFailure(first.code);
  }
  if (first.code !== 0) {
    stdin.end(); // no COMMIT: the transaction is rolled back when psql disconnects
    await restore.exit.catch(() => undefined);
    throw new PostgresError('PG_FAILED', `pg_dump of ${database} in the bundled db failed; nothing of it was kept: ${restoreErrorLine(dumpErr()) ?? `exit code ${first.code}`}`);
  }
  stdin.end('COMMIT;\n');
  const code = await restore.exit;
  if (code !== 0) throw restoreFailure(code);
  return { bytes: rewriter.bytes, ...tally };
}

/**
 * Refuses before anything is written when a target database holds tables or lacks an extension
 * the data uses; otherwise copies one database after the other and compares row counts.
 */
export async function copyBundledData(opts: CopyOptions): Promise<CopySummaryDto> {
  const sources = new Map<CopyDatabase, Inventory>();
  const refused: CopyRefusal[] = [];
  for (const database of COPY_DATABASES) {
    const source = await sourceInventory(opts, database);
    sources.set(database, source);
    const refusal = copyRefusal(database, source, await targetInventory(opts.target, database));
    if (refusal) refused.push(refusal);
  }
  stopIfCancelled(opts.signal, 'anything');
  if (refused.length > 0) {
    for (const r of refused) opts.onEvent({ type: 'refused', ...r });
    return { ok: false, refused, failure: null, tables: [] };
  }

  let failure: string | null = null;
  for (const database of COPY_DATABASES) {
    stopIfCancelled(opts.signal, database);
    opts.onEvent({ type: 'database-started', database });
    try {
      const done = await copyOne(opts, database);
      opts.onEvent({ type: 'database-finished', database, ...done });
    } catch (err) {
      failure = queryError(err).message;
      opts.onEvent({ type: 'failed', database, message: failure });
      break;
    }
  }

  const tables: CopyTableDto[] = [];
  for (const database of COPY_DATABASES) {
    tables.push(...compareInventories(database, sources.get(database)!, await targetInventory(opts.target, database)));
  }
  return { ok: failure === null && tables.every((t) => t.match), refused: [], failure, tables };
}
