import pg from 'pg';
import type { ConnectionOptions } from 'node:tls';
import { SSL_MODES, type ConnectionInput, type SslMode } from '@/lib/schemas/external-database';
import { PostgresError } from './postgres-error';

// Connections of the wizard: short timeouts, TLS as asked (never a silent downgrade), and errors
// mapped to codes whose messages name the problem but never echo a password or URL.

// Short, yet long enough for a TLS and SCRAM handshake on a busy host.
export const CONNECT_TIMEOUT_MS = 10_000;
const QUERY_TIMEOUT_MS = 30_000;

export interface ConnectTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  sslMode: SslMode;
  caCert?: string;
}

/**
 * Parses a pasted `postgresql://user:password@host:port/database?sslmode=…` strictly: only that
 * scheme, a user, a host, and `sslmode` (disable, require, verify-full) as the only query parameter.
 */
export function parseConnectionUrl(text: string): Omit<ConnectionInput, 'caCert' | 'kind'> {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new PostgresError('PG_URL_INVALID', 'Not a URL: expected postgresql://user:password@host:port/database');
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new PostgresError('PG_URL_INVALID', 'The URL must start with postgresql://');
  }
  if (!url.hostname) throw new PostgresError('PG_URL_INVALID', 'The URL names no host');
  if (!url.username) throw new PostgresError('PG_URL_INVALID', 'The URL names no user');
  if (url.hash) throw new PostgresError('PG_URL_INVALID', 'The URL must not contain a #fragment');
  let sslMode: SslMode = 'disable';
  for (const [key, value] of url.searchParams) {
    if (key !== 'sslmode') throw new PostgresError('PG_URL_INVALID', `Unsupported URL parameter ${JSON.stringify(key.slice(0, 40))} (only sslmode)`);
    if (!(SSL_MODES as readonly string[]).includes(value)) {
      throw new PostgresError('PG_URL_INVALID', `sslmode must be one of ${SSL_MODES.join(', ')}`);
    }
    sslMode = value as SslMode;
  }
  const path = url.pathname.replace(/^\//, '');
  if (path.includes('/')) throw new PostgresError('PG_URL_INVALID', 'The URL path must be a single database name');
  let user: string;
  let password: string;
  let database: string;
  try {
    user = decodeURIComponent(url.username);
    password = decodeURIComponent(url.password);
    database = decodeURIComponent(path) || 'postgres';
  } catch {
    throw new PostgresError('PG_URL_INVALID', 'The URL contains a broken %-escape');
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: url.port ? Number(url.port) : 5432, user, password, database, sslMode };
}

export function sslOptions(target: Pick<ConnectTarget, 'sslMode' | 'caCert' | 'host'>): false | ConnectionOptions {
  if (target.sslMode === 'disable') return false;
  // `require` as libpq means it: encrypted, certificate not checked.
  if (target.sslMode === 'require') return { rejectUnauthorized: false };
  return { rejectUnauthorized: true, ca: target.caCert, servername: /^[\d.:]+$/.test(target.host) ? undefined : target.host };
}

function mapError(err: unknown, target: ConnectTarget): PostgresError {
  const e = err as NodeJS.ErrnoException & { code?: string; message?: string };
  const where = `${target.host}:${target.port}`;
  const code = e?.code ?? '';
  const message = String(e?.message ?? '');
  if (code === '28P01') return new PostgresError('PG_AUTH_FAILED', `The server refused the password for user ${target.user}`, { cause: err });
  if (code === '28000') {
    if (/no encryption/i.test(message)) {
      return new PostgresError('PG_TLS_REQUIRED', `${where} accepts only encrypted connections: choose SSL mode require or verify-full`, { cause: err });
    }
    return new PostgresError('PG_AUTH_FAILED', `The server does not allow user ${target.user} to connect from here (pg_hba.conf)`, { cause: err });
  }
  if (code === '57P03') return new PostgresError('PG_UNREACHABLE', `${where} is starting up or shutting down; try again in a moment`, { cause: err });
  if (code === '3D000') return new PostgresError('PG_DATABASE_MISSING', `Database ${target.database} does not exist on ${where}`, { cause: err });
  if (/timeout/i.test(message) || code === 'ETIMEDOUT') {
    return new PostgresError('PG_TIMEOUT', `No answer from ${where} within ${CONNECT_TIMEOUT_MS / 1000} s`, { cause: err });
  }
  if (code === 'ECONNREFUSED') return new PostgresError('PG_UNREACHABLE', `Nothing listens on ${where} (connection refused)`, { cause: err });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new PostgresError('PG_UNREACHABLE', `Host ${target.host} is not known (DNS)`, { cause: err });
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return new PostgresError('PG_UNREACHABLE', `No route to ${where}`, { cause: err });
  if (/does not support SSL/i.test(message)) {
    return new PostgresError('PG_TLS_FAILED', `${where} does not offer TLS: choose SSL mode disable, or enable ssl on the server`, { cause: err });
  }
  if (/certificate|self[- ]signed|altnames|CERT_/i.test(message) || /^(ERR_TLS|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED)/.test(code)) {
    return new PostgresError('PG_TLS_FAILED', `The server's certificate did not verify against the CA given (${code || 'TLS error'})`, { cause: err });
  }
  if (/^[0-9A-Z]{5}$/.test(code)) return new PostgresError('PG_FAILED', `PostgreSQL error ${code}`, { cause: err });
  return new PostgresError('PG_UNREACHABLE', `Could not connect to ${where}${code ? ` (${code})` : ''}`, { cause: err });
}

/** Maps any error of a query to a coded one without repeating the server's text (it may quote values). */
export function queryError(err: unknown): PostgresError {
  if (err instanceof PostgresError) return err;
  const e = err as { code?: string; message?: string };
  const code = typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : null;
  const short = String(e?.message ?? 'failed').split('\n')[0]!.slice(0, 200);
  return new PostgresError('PG_FAILED', code ? `${short} (SQLSTATE ${code})` : short, { cause: err });
}

export async function connect(target: ConnectTarget): Promise<pg.Client> {
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    ssl: sslOptions(target),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    application_name: 'tale-console',
  });
  // An error after connecting (server restart) must not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw mapError(err, target);
  }
  return client;
}

/** Runs `fn` on a fresh connection and always closes it. */
export async function withClient<T>(target: ConnectTarget, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(target);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface ServerInfo {
  serverVersion: string;
  versionNum: number;
  tls: boolean;
  tlsRequired: boolean | null;
}

/** Whether the server refuses a plaintext connection (probed only when TLS was asked for). */
async function probeTlsRequired(target: ConnectTarget): Promise<boolean | null> {
  try {
    await withClient({ ...target, sslMode: 'disable' }, async () => undefined);
    return false;
  } catch (err) {
    if (err instanceof PostgresError && err.code === 'PG_TLS_REQUIRED') return true;
    return null;
  }
}

export async function serverInfo(client: pg.Client, target: ConnectTarget): Promise<ServerInfo> {
  const r = await client.query<{ v: string; n: string; ssl: boolean | null }>(
    "SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n, (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()) AS ssl",
  );
  const row = r.rows[0]!;
  const tls = row.ssl === true;
  return { serverVersion: row.v, versionNum: Number(row.n), tls, tlsRequired: tls ? await probeTlsRequired(target) : false };
}
