import type { ServiceName } from '@/server/stack/types';

// Which PostgreSQL a Tale service talks to, read from the environment it was started with (a
// running container) or would be started with (a spec). The files say what the next deploy does;
// only the containers say what runs now, and the two differ from a database switch until the
// deploy that applies it.

/** The bundled db (the container answering to `db`), or an external server by host and port. */
export type DatabaseUse = { kind: 'bundled' } | { kind: 'external'; host: string; port: number };

/** The services that open a database connection, and the key each one reads its URL from. */
const URL_KEY = {
  // Convex takes the base URL; the platform derives RAG_DATABASE_URL from it when it is unset
  // (docs/tale-cli.md#wiring-an-external-database).
  convex: 'POSTGRES_URL',
  platform: 'POSTGRES_URL',
  rag: 'RAG_DATABASE_URL',
  crawler: 'CRAWLER_DATABASE_URL',
} as const satisfies Partial<Record<ServiceName, string>>;

export type DatabaseClient = keyof typeof URL_KEY;
export const DATABASE_CLIENTS = Object.keys(URL_KEY) as DatabaseClient[];

export function isDatabaseClient(service: ServiceName): service is DatabaseClient {
  return service in URL_KEY;
}

const BUNDLED_HOST = 'db';
const DEFAULT_PORT = 5432;

function fromHost(host: string, port: number): DatabaseUse {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === BUNDLED_HOST ? { kind: 'bundled' } : { kind: 'external', host: bare, port };
}

/**
 * The database `service` uses with `env`; null when its URL cannot be read (then nobody can say,
 * and nothing is decided on it). Only host and port leave this function, never the URL: it
 * carries the password.
 */
export function databaseUseOf(service: DatabaseClient, env: Record<string, string>): DatabaseUse | null {
  const url = env[URL_KEY[service]]?.trim();
  if (!url) {
    // Unset: convex and the platform build theirs from DB_PASSWORD with host db; rag and the
    // crawler from DB_HOST and DB_PORT (defaults db and 5432).
    if (service === 'convex' || service === 'platform') return { kind: 'bundled' };
    const port = Number(env.DB_PORT?.trim() || DEFAULT_PORT);
    return fromHost(env.DB_HOST?.trim() || BUNDLED_HOST, Number.isInteger(port) && port > 0 ? port : DEFAULT_PORT);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol) || !parsed.hostname) return null;
  return fromHost(parsed.hostname, parsed.port ? Number(parsed.port) : DEFAULT_PORT);
}

export function sameDatabase(a: DatabaseUse | null, b: DatabaseUse | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.kind === 'bundled' || b.kind === 'bundled') return a.kind === b.kind;
  return a.host === b.host && a.port === b.port;
}

/** "bundled (db container)" or "external (host:port)", as the console prints it. */
export function describeDatabase(use: DatabaseUse): string {
  if (use.kind === 'bundled') return 'bundled (db container)';
  const host = use.host.includes(':') ? `[${use.host}]` : use.host;
  return `external (${host}:${use.port})`;
}
