import type pg from 'pg';
import type { CheckDto } from '@/lib/dto/external-database';

// The requirements of docs/tale-cli.md#wiring-an-external-database, each answered with pass/fail and the fix an operator can act on.

export const MIN_MAJOR = 16;
export const REQUIRED_EXTENSIONS = ['vector', 'uuid-ossp', 'pg_trgm', 'pgcrypto'] as const;
export const OPTIONAL_EXTENSIONS = ['pg_search'] as const;

/** Major version from `server_version_num` (170005 → 17), else from `server_version` ("15.4 (Debian …)" → 15). */
export function majorVersion(versionNum: number | null, serverVersion: string): number | null {
  if (versionNum && Number.isInteger(versionNum) && versionNum >= 100000) return Math.floor(versionNum / 10000);
  const m = /^(\d+)(?:\.(\d+))?/.exec(serverVersion.trim());
  if (!m) return null;
  const major = Number(m[1]);
  // Before 10 the major version was two numbers (9.6).
  return major >= 10 ? major : null;
}

export function versionCheck(versionNum: number | null, serverVersion: string): CheckDto {
  const major = majorVersion(versionNum, serverVersion);
  const base = { id: 'version', title: `PostgreSQL ${MIN_MAJOR} or newer`, required: true };
  if (major !== null && major >= MIN_MAJOR) return { ...base, status: 'pass', detail: `PostgreSQL ${serverVersion}`, fix: null };
  return {
    ...base,
    status: 'fail',
    detail: `This server runs PostgreSQL ${serverVersion}; Tale needs ${MIN_MAJOR} or newer.`,
    fix: `Upgrade the server to PostgreSQL ${MIN_MAJOR} or newer (pg_upgrade or a dump and restore), or choose another server.`,
  };
}

interface ExtensionRow {
  name: string;
  trusted: boolean;
}

interface RoleRow {
  rolsuper: boolean;
  rolcreatedb: boolean;
  rolcreaterole: boolean;
}

export function extensionChecks(available: ExtensionRow[]): CheckDto[] {
  const has = new Set(available.map((e) => e.name));
  // A missing required extension fails the checks; a missing optional one only warns.
  const check = (id: string, title: string, required: boolean, ok: boolean, passed: string, missing: { detail: string; fix: string }): CheckDto => ({
    id,
    title,
    required,
    status: ok ? 'pass' : required ? 'fail' : 'warn',
    detail: ok ? passed : missing.detail,
    fix: ok ? null : missing.fix,
  });
  const contrib = ['uuid-ossp', 'pg_trgm', 'pgcrypto'].filter((n) => !has.has(n));
  return [
    check('vector', 'pgvector (vector) available', true, has.has('vector'), 'The vector extension can be created.', {
      detail: 'The vector extension is not installed on this server; RAG and the crawler store embeddings with it.',
      fix: 'Install pgvector on the server (e.g. the postgresql-17-pgvector package, or enable it in your managed database’s extension settings), then run the checks again.',
    }),
    check('contrib', 'uuid-ossp, pg_trgm, pgcrypto available', true, contrib.length === 0, 'The contrib extensions can be created.', {
      detail: `Missing: ${contrib.join(', ')}.`,
      fix: 'Install the PostgreSQL contrib modules on the server (postgresql-contrib).',
    }),
    check('pg_search', 'pg_search (BM25) available', false, has.has('pg_search'), 'Full-text BM25 search will be on.', {
      detail: 'pg_search is not installed: Tale works without it, but full-text BM25 search stays off; search uses vectors only.',
      fix: 'Optional: install ParadeDB’s pg_search on the server to turn BM25 search on.',
    }),
  ];
}

export function privilegeChecks(role: RoleRow, available: ExtensionRow[]): CheckDto[] {
  const sup = role.rolsuper;
  const check = (id: string, title: string, ok: boolean, detail: string, fix: string): CheckDto => ({
    id,
    title,
    required: true,
    status: ok ? 'pass' : 'fail',
    detail: ok ? detail : fix.split(':')[0]!,
    fix: ok ? null : fix,
  });
  const untrusted = available.filter((e) => (REQUIRED_EXTENSIONS as readonly string[]).includes(e.name) && !e.trusted).map((e) => e.name);
  return [
    check('createdb', 'Admin can create databases', sup || role.rolcreatedb, sup ? 'Superuser.' : 'Has CREATEDB.',
      'This admin user lacks CREATEDB: run ALTER ROLE <admin> CREATEDB as a superuser, or connect as a user that has it.'),
    check('createrole', 'Admin can create roles', sup || role.rolcreaterole, sup ? 'Superuser.' : 'Has CREATEROLE.',
      'This admin user lacks CREATEROLE: run ALTER ROLE <admin> CREATEROLE as a superuser, or connect as a user that has it.'),
    check('extensions', 'Admin can create the extensions', sup || untrusted.length === 0, sup ? 'Superuser.' : 'The extensions are trusted; the database owner can create them.',
      `Creating ${untrusted.join(', ')} needs a superuser: connect as one (or your provider’s admin role that may create extensions).`),
  ];
}

/** All checks on an open admin connection. */
export async function runChecks(client: pg.Client, info: { versionNum: number; serverVersion: string }): Promise<CheckDto[]> {
  const ext = await client.query<ExtensionRow>(
    `SELECT name, bool_or(trusted) AS trusted FROM pg_available_extension_versions WHERE name = ANY($1::text[]) GROUP BY name`,
    [[...REQUIRED_EXTENSIONS, ...OPTIONAL_EXTENSIONS]],
  );
  const role = await client.query<RoleRow>('SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user');
  return [versionCheck(info.versionNum, info.serverVersion), ...extensionChecks(ext.rows), ...privilegeChecks(role.rows[0]!, ext.rows)];
}
