import { Transform, type TransformCallback } from 'node:stream';
import type { SslMode } from '@/lib/schemas/external-database';
import type { CopyTableDto } from '@/lib/dto/external-database';
import { assertIdentifier } from './identifiers';
import { PostgresError } from './postgres-error';
import { KNOWLEDGE_DB, PLATFORM_DB } from './prepare-plan';

// The pure half of copying the bundled db to the external server: the argv of the commands run in
// the bundled db container, the environment that carries the target's credentials, the one
// rewrite the dump needs, and the decisions (refuse, compare). No I/O here.

export const COPY_DATABASES = [PLATFORM_DB, KNOWLEDGE_DB] as const;
export type CopyDatabase = (typeof COPY_DATABASES)[number];

/**
 * pg_dump as the bundled superuser over the container's local socket (trusted there, docs/tale-cli.md#bundled-database-init), as
 * plain SQL on stdout. No owners or grants: the restore runs as the service role, so everything
 * it creates is owned by that role, as the services expect to own (and migrate) their tables.
 * No comments: COMMENT ON EXTENSION needs the extension's owner.
 */
export function dumpArgv(database: CopyDatabase, sourceUser: string): string[] {
  return ['pg_dump', '--format=plain', '--no-owner', '--no-privileges', '--no-comments', '--encoding=UTF8', `--username=${assertIdentifier(sourceUser)}`, `--dbname=${database}`];
}

/**
 * psql reading the dump on stdin and stopping at the first error. Not --single-transaction: that
 * COMMITs at the end of input, even when the input ended because pg_dump broke off; the caller
 * writes BEGIN and COMMIT itself (see bundled-copy.ts). The connection comes from PG* variables
 * (restoreEnv), never from argv, so the password is not on any command line. Not quiet: psql
 * prints a command tag per statement ("CREATE TABLE", "COPY 42"), the progress we report.
 */
export function restoreArgv(): string[] {
  return ['psql', '--no-psqlrc', '--set=ON_ERROR_STOP=1', '--file=-'];
}

/** psql asking the bundled db for its inventory (one JSON line). */
export function inventoryArgv(database: CopyDatabase, sourceUser: string): string[] {
  return ['psql', '--no-psqlrc', '--tuples-only', '--no-align', `--username=${assertIdentifier(sourceUser)}`, `--dbname=${database}`, `--command=${INVENTORY_SQL}`];
}

export interface RestoreTarget {
  host: string;
  port: number;
  role: string;
  password: string;
  sslMode: SslMode;
  caCert?: string;
}

/**
 * libpq's variables for the restore. The container's own environment may carry PG* settings for
 * the bundled server; every connection setting is set here explicitly, overriding them.
 */
export function restoreEnv(target: RestoreTarget, database: CopyDatabase): Record<string, string> {
  if (target.sslMode === 'verify-full' && target.caCert) {
    // The CA would have to be written into the bundled db container first; not offered.
    throw new PostgresError('PG_FAILED', 'Copying with verify-full and a private CA is not supported: use SSL mode require for the copy.');
  }
  return {
    PGHOST: target.host,
    PGPORT: String(target.port),
    PGUSER: assertIdentifier(target.role),
    PGPASSWORD: target.password,
    PGDATABASE: database,
    PGSSLMODE: target.sslMode,
    ...(target.sslMode === 'verify-full' ? { PGSSLROOTCERT: 'system' } : {}),
    PGCONNECT_TIMEOUT: '10',
    PGAPPNAME: 'tale-console-copy',
  };
}

/** Tables with exact row counts and the extensions, as one JSON document; the same on both sides. */
export const INVENTORY_SQL = `SELECT json_build_object(
  'tables', COALESCE((SELECT json_agg(json_build_object('schema', t.schema, 'table', t.name, 'rows', t.rows) ORDER BY t.schema, t.name) FROM (
    SELECT n.nspname AS schema, c.relname AS name,
      (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint AS rows
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  ) t), '[]'::json),
  'extensions', COALESCE((SELECT json_agg(extname ORDER BY extname) FROM pg_extension WHERE extname <> 'plpgsql'), '[]'::json)
)`;

export interface TableCount {
  schema: string;
  table: string;
  rows: number;
}

export interface Inventory {
  tables: TableCount[];
  extensions: string[];
}

export function parseInventory(text: string): Inventory {
  let raw: unknown;
  try {
    raw = JSON.parse(text.trim());
  } catch {
    throw new PostgresError('PG_FAILED', 'The database inventory could not be read');
  }
  const r = raw as { tables?: unknown; extensions?: unknown };
  if (!Array.isArray(r?.tables) || !Array.isArray(r?.extensions)) throw new PostgresError('PG_FAILED', 'The database inventory could not be read');
  return {
    tables: r.tables.map((t: { schema: unknown; table: unknown; rows: unknown }) => ({ schema: String(t.schema), table: String(t.table), rows: Number(t.rows) })),
    extensions: r.extensions.map(String),
  };
}

export type CopyRefusalCode = 'COPY_TARGET_HOLDS_DATA' | 'COPY_TARGET_HAS_TABLES' | 'COPY_EXTENSION_MISSING';

export interface CopyRefusal {
  database: CopyDatabase;
  code: CopyRefusalCode;
  message: string;
}

const names = (tables: TableCount[], max = 5) =>
  tables.slice(0, max).map((t) => `${t.schema}.${t.table}`).join(', ') + (tables.length > max ? ` and ${tables.length - max} more` : '');

/**
 * Whether the copy into one database must not start. Nothing is ever overwritten: a target with
 * rows is refused outright. Empty tables are refused too (the dump recreates every table, and the
 * restore would stop at the first that exists); they appear when a service already
 * ran its migrations against the new server, and dropping them is the operator's decision.
 * Extensions the data needs must already be installed there (the service role cannot create them).
 */
export function copyRefusal(database: CopyDatabase, source: Inventory, target: Inventory): CopyRefusal | null {
  const withRows = target.tables.filter((t) => t.rows > 0);
  if (withRows.length > 0) {
    return {
      database,
      code: 'COPY_TARGET_HOLDS_DATA',
      message: `${database} on the external server already holds data (${names(withRows)}): nothing was copied, so nothing is overwritten.`,
    };
  }
  if (target.tables.length > 0) {
    return {
      database,
      code: 'COPY_TARGET_HAS_TABLES',
      message: `${database} on the external server already has ${target.tables.length} empty table(s) (${names(target.tables)}), probably from a service's migrations: drop them to copy the bundled data.`,
    };
  }
  const missing = source.extensions.filter((e) => !target.extensions.includes(e));
  if (missing.length > 0) {
    return {
      database,
      code: 'COPY_EXTENSION_MISSING',
      message: `${database} on the external server lacks extension(s) ${missing.join(', ')} that the bundled data uses: create them there as an admin (run Prepare again), then copy.`,
    };
  }
  return null;
}

/** Source and target counts side by side; a table missing on either side counts as a mismatch. */
export function compareInventories(database: CopyDatabase, source: Inventory, target: Inventory): CopyTableDto[] {
  const key = (t: TableCount) => `${t.schema}.${t.table}`;
  const targetRows = new Map(target.tables.map((t) => [key(t), t.rows]));
  const rows: CopyTableDto[] = source.tables.map((t) => {
    const after = targetRows.get(key(t)) ?? null;
    return { database, schema: t.schema, table: t.table, sourceRows: t.rows, targetRows: after, match: after === t.rows };
  });
  const sourceKeys = new Set(source.tables.map(key));
  for (const t of target.tables) {
    if (!sourceKeys.has(key(t))) rows.push({ database, schema: t.schema, table: t.table, sourceRows: null, targetRows: t.rows, match: false });
  }
  return rows;
}

const CREATE_SCHEMA = /^CREATE SCHEMA ((?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*));$/;
const COPY_START = /^COPY .+ FROM stdin;$/;

/**
 * Passes the plain dump through, byte for byte, except `CREATE SCHEMA x;` outside COPY data, which
 * becomes `CREATE SCHEMA IF NOT EXISTS x;`: Prepare has already created Tale's schemas (with the
 * grants the services need) and they must be kept, not recreated. Lines inside a COPY block are
 * row data and never rewritten, whatever they contain. Counts the bytes that pass.
 */
export class DumpRewriter extends Transform {
  bytes = 0;
  private partial: Buffer[] = [];
  private inCopy = false;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    let start = 0;
    let nl = chunk.indexOf(0x0a, start);
    while (nl !== -1) {
      const piece = chunk.subarray(start, nl + 1);
      const line = this.partial.length ? Buffer.concat([...this.partial, piece]) : piece;
      this.partial = [];
      this.push(this.rewrite(line));
      start = nl + 1;
      nl = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) this.partial.push(chunk.subarray(start));
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.partial.length) this.push(this.rewrite(Buffer.concat(this.partial)));
    this.partial = [];
    done();
  }

  private rewrite(line: Buffer): Buffer {
    // Only short lines can be statements worth looking at; long ones pass untouched.
    if (line.length > 400) return line;
    const text = line.toString('utf8').replace(/\r?\n$/, '');
    if (this.inCopy) {
      if (text === '\\.') this.inCopy = false;
      return line;
    }
    if (COPY_START.test(text)) {
      this.inCopy = true;
      return line;
    }
    const m = CREATE_SCHEMA.exec(text);
    return m ? Buffer.from(`CREATE SCHEMA IF NOT EXISTS ${m[1]};\n`) : line;
  }
}

export interface RestoreTally {
  objects: number;
  rows: number;
}

/** Adds one psql command tag line ("CREATE TABLE", "COPY 42", "SET") to the tally. */
export function tallyTag(tally: RestoreTally, line: string): void {
  const tag = line.trim();
  if (!tag) return;
  const copy = /^COPY (\d+)$/.exec(tag);
  if (copy) {
    tally.rows += Number(copy[1]);
    tally.objects += 1;
    return;
  }
  // SET, SELECT (set_config) and their result rows are not objects.
  if (/^(CREATE|ALTER) [A-Z]/.test(tag)) tally.objects += 1;
}

/** The first error line of psql or pg_dump, trimmed: what the operator sees when a step fails. */
export function restoreErrorLine(stderr: string): string | null {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const line = lines.find((l) => /\b(ERROR|FATAL|error):/.test(l)) ?? lines.at(-1);
  if (!line) return null;
  return line.replace(/^(psql|pg_dump):(?:[^:]*:\d+:)?\s*/, '').slice(0, 300);
}
