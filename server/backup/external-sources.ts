import { DATABASE_CLIENTS, databaseUseOf, type DatabaseClient } from '../engine/database-use';
import { parseConnectionUrl } from '../postgres/connection';
import { PLATFORM_DB } from '../postgres/prepare-plan';
import { probeEnv, psqlReason } from '../postgres/stack-reach';
import { BackupError } from './backup-error';

// Which of Tale's databases live on an external PostgreSQL (docs/backups.md#external-databases),
// read from the environment of the services' containers, as database-use.ts reads it: those say
// what runs now. The credentials are the services' own (their URL's role and password); they stay
// in memory and in the environment of the short-lived container pg_dump and psql run in, never in
// an argv, an event, the manifest or an error. Only host and port leave this module.

/** One of Tale's databases on an external server, with the services' credentials for it. */
export interface ExternalDatabase {
  name: string;
  host: string;
  port: number;
  user: string;
  /** Never logged, never in the manifest: only in the one-shot container's environment. */
  password: string;
  sslMode: 'disable' | 'require' | 'verify-full';
}

/** The manifest's record of where a database was read from. */
export type DatabaseSource = { kind: 'bundled' } | { kind: 'external'; host: string; port: number; user: string };

/** `host:port`, IPv6 in brackets: how the messages and the typed confirmation name a server. */
export function serverLabel(s: { host: string; port: number }): string {
  return `${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`;
}

export function sourceOf(d: ExternalDatabase): DatabaseSource {
  return { kind: 'external', host: d.host, port: d.port, user: d.user };
}

/** Convex and the platform take the server's base URL and use tale_platform on it; rag and the crawler name their database. */
const URL_KEY: Record<DatabaseClient, string> = { convex: 'POSTGRES_URL', platform: 'POSTGRES_URL', rag: 'RAG_DATABASE_URL', crawler: 'CRAWLER_DATABASE_URL' };

/**
 * Tale's databases on external servers, from the environments of the services' containers (any
 * order; each entry once per server and name). A service on the bundled db adds nothing; one
 * whose external URL cannot be read is a coded error, since its database would be missing from
 * the backup.
 */
export function externalDatabases(containers: readonly { service: DatabaseClient; env: Record<string, string> }[]): ExternalDatabase[] {
  const found = new Map<string, ExternalDatabase>();
  for (const { service, env } of containers) {
    const use = databaseUseOf(service, env);
    if (use?.kind === 'bundled') continue;
    let parsed: ReturnType<typeof parseConnectionUrl> | null = null;
    try {
      parsed = env[URL_KEY[service]] ? parseConnectionUrl(env[URL_KEY[service]]!) : null;
    } catch {
      parsed = null;
    }
    if (!parsed || !use) {
      const where = use ? ` (${serverLabel(use)})` : '';
      throw new BackupError('BACKUP_EXTERNAL_DB_UNKNOWN', `The ${service} service uses a database${where} whose ${URL_KEY[service]} the console cannot read, so it cannot back it up: set it with the external-database wizard.`);
    }
    const name = service === 'convex' || service === 'platform' ? PLATFORM_DB : parsed.database;
    const db: ExternalDatabase = { name, host: parsed.host.toLowerCase(), port: parsed.port, user: parsed.user, password: parsed.password, sslMode: parsed.sslMode };
    const key = `${serverLabel(db)}/${name}`;
    if (!found.has(key)) found.set(key, db);
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The services' container names that say which database they use, both colours of the rotatable ones. */
export function clientContainers(projectId: string, containerName: (id: string, service: DatabaseClient, color: 'blue' | 'green' | null) => string): { service: DatabaseClient; name: string }[] {
  return DATABASE_CLIENTS.flatMap((service): { service: DatabaseClient; name: string }[] =>
    service === 'convex' ? [{ service, name: containerName(projectId, service, null) }] : (['blue', 'green'] as const).map((c) => ({ service, name: containerName(projectId, service, c) })),
  );
}

/** libpq's environment for pg_dump and psql against `d` (the wizard's probe's, without its app name). */
export function externalEnv(d: ExternalDatabase): Record<string, string> {
  return {
    ...probeEnv({ host: d.host, port: d.port, user: d.user, password: d.password, database: d.name, sslMode: d.sslMode }),
    PGAPPNAME: 'tale-console-backup',
  };
}

/**
 * The error of a psql or pg_dump run against an external server that failed. psql and pg_dump
 * exit 2 (psql) or 1 with "connection to server" (pg_dump) when they cannot connect: that is
 * BACKUP_EXTERNAL_DB_UNREACHABLE, naming host:port. Their messages name host, port, user and
 * database, never the password.
 */
export function externalFailure(d: Pick<ExternalDatabase, 'host' | 'port' | 'name'>, what: string, code: number | null, stderr: string): BackupError {
  const reason = psqlReason(stderr);
  const where = serverLabel(d);
  if (code === 2 || /connection to server|could not translate host name|timeout expired|Connection refused|No route to host/i.test(reason)) {
    return new BackupError('BACKUP_EXTERNAL_DB_UNREACHABLE', `The external PostgreSQL at ${where} (database ${d.name}) cannot be reached from the stack's network: ${reason}. The backup is not complete.`);
  }
  return new BackupError('BACKUP_DUMP_FAILED', `${what} of ${d.name} on the external PostgreSQL at ${where} failed: ${reason}`);
}

/**
 * Before a dump is replayed into an external database: drops every table, view and sequence the
 * services' role owns there (CASCADE), so tables made after the backup go too. The role does not
 * own the database or its schemas (the wizard's Prepare made them as the admin), so it cannot drop
 * and recreate the database as the bundled restore does.
 */
export const DROP_OWNED_RELATIONS = `DO $$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE pg_get_userbyid(c.relowner) = current_user AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
      AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
      AND NOT (c.relkind IN ('r', 'p') AND c.relispartition)
  LOOP
    EXECUTE format('DROP %s IF EXISTS %I.%I CASCADE',
      CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
      r.nspname, r.relname);
  END LOOP;
END $$`;

/**
 * psql's ERROR lines of a replay into an external database that are not expected there: the dump
 * also holds the schemas, extensions and default privileges the admin made, which the role can
 * neither drop, re-create nor alter ("must be owner", "already exists", "permission denied to change
 * default privileges"); those stay as they are, and the row counts decide.
 */
export function unexpectedReplayErrors(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => /\bERROR:/.test(l))
    .filter((l) => !/must be owner of (schema|extension|database)|already exists|permission denied to (create|drop) extension|permission denied to change default privileges|only superuser|must be superuser/i.test(l))
    .map((l) => l.trim().slice(0, 300));
}
