import type pg from 'pg';
import type { PrepareState } from '@/lib/dto/external-database';
import { ident, literal } from './identifiers';

// What Tale's init scripts (docs/tale-cli.md#bundled-database-init) do on the bundled db, as idempotent steps for an external
// server: each step first asks the catalog whether its effect is already there, so a second run
// reports "already present" and changes nothing.
//
// Two deliberate differences: the role gets USAGE and CREATE on the schemas (the bundled role is a
// superuser and needs no grant; rag's and the crawler's migrations create their tables as this
// role), and CREATE on tale_platform's public schema, which PostgreSQL 15+ no longer grants to
// everyone and Convex creates its tables in.

export const PLATFORM_DB = 'tale_platform';
export const KNOWLEDGE_DB = 'tale_knowledge';
export const KNOWLEDGE_SCHEMAS = ['public_web', 'private_knowledge'] as const;
export const SEARCH_PATH = 'public_web, private_knowledge, public';

/** Where a step runs: the admin's own database, or one of Tale's. */
export type StepDatabase = 'admin' | typeof PLATFORM_DB | typeof KNOWLEDGE_DB;

export interface PrepareOptions {
  role: string;
  /** A SCRAM verifier to set; required to create the role or to rotate its password. */
  passwordVerifier: string | null;
  rotatePassword: boolean;
}

export interface PrepareStep {
  id: string;
  title: string;
  database: StepDatabase;
  /** Shown to the operator; the same as what runs, except a password verifier is elided. */
  sql: string;
  /** Optional steps that fail are reported as skipped (pg_search). */
  optional?: { unavailable: string };
  /** Whether the step's effect is already in place. */
  present: (client: pg.Client) => Promise<boolean>;
  /** Runs the step and says what it did. */
  apply: (client: pg.Client) => Promise<Exclude<PrepareState, 'already-present' | 'skipped' | 'failed'>>;
}

// Extension names are constants; some contain '-' and are quoted by hand.
const EXTENSION_SQL: Record<string, string> = {
  'uuid-ossp': '"uuid-ossp"',
  pg_trgm: 'pg_trgm',
  pgcrypto: 'pgcrypto',
  vector: 'vector',
  pg_search: 'pg_search',
};

async function exists(client: pg.Client, sql: string, params: unknown[]): Promise<boolean> {
  const r = await client.query<{ ok: boolean }>(`SELECT (${sql}) AS ok`, params);
  return r.rows[0]?.ok === true;
}

const ran = (client: pg.Client, sql: string) => client.query(sql).then(() => undefined);

const ALL_TABLE_PRIVS = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];
const ALL_SEQ_PRIVS = ['USAGE', 'SELECT', 'UPDATE'];

// has_*_privilege with a list is true when ANY is held; every privilege is asked for on its own.
const allOf = (fn: string, args: string, privs: string[]) => privs.map((p) => `${fn}(${args}, '${p}')`).join(' AND ');

export function preparePlan(opts: PrepareOptions): PrepareStep[] {
  const role = ident(opts.role);
  const roleName = opts.role;
  const steps: PrepareStep[] = [];

  const verifier = opts.passwordVerifier;
  const roleSql = (verb: 'CREATE' | 'ALTER', shown: boolean) =>
    `${verb} ROLE ${role} LOGIN PASSWORD ${shown ? "'[SCRAM-SHA-256 verifier of the generated password]'" : literal(verifier ?? '')}`;
  steps.push({
    id: 'role',
    title: opts.rotatePassword ? `Service role ${roleName} (new password)` : `Service role ${roleName}`,
    database: 'admin',
    sql: roleSql('CREATE', true),
    present: async (c) => !opts.rotatePassword && (await exists(c, 'EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)', [roleName])),
    apply: async (c) => {
      if (!verifier) throw new Error('No password for the service role');
      const there = await exists(c, 'EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)', [roleName]);
      await ran(c, roleSql(there ? 'ALTER' : 'CREATE', false));
      return there ? 'changed' : 'created';
    },
  });

  for (const db of [PLATFORM_DB, KNOWLEDGE_DB]) {
    steps.push({
      id: `database:${db}`,
      title: `Database ${db}`,
      database: 'admin',
      sql: `CREATE DATABASE ${ident(db)}`,
      present: (c) => exists(c, 'EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)', [db]),
      apply: async (c) => (await ran(c, `CREATE DATABASE ${ident(db)}`), 'created'),
    });
    const grant = `GRANT ALL PRIVILEGES ON DATABASE ${ident(db)} TO ${role}`;
    steps.push({
      id: `database-grant:${db}`,
      title: `${roleName} may use ${db}`,
      database: 'admin',
      sql: grant,
      present: (c) => exists(c, allOf('has_database_privilege', '$1, $2', ['CREATE', 'CONNECT', 'TEMPORARY']), [roleName, db]),
      apply: async (c) => (await ran(c, grant), 'changed'),
    });
  }

  const extension = (db: StepDatabase, name: string, optional?: PrepareStep['optional']): PrepareStep => {
    const sql = `CREATE EXTENSION IF NOT EXISTS ${EXTENSION_SQL[name]}`;
    return {
      id: `extension:${db}:${name}`,
      title: `Extension ${name} in ${db}`,
      database: db,
      sql,
      optional,
      present: (c) => exists(c, 'EXISTS (SELECT 1 FROM pg_extension WHERE extname = $1)', [name]),
      apply: async (c) => (await ran(c, sql), 'created'),
    };
  };

  for (const name of ['uuid-ossp', 'pg_trgm', 'pgcrypto']) steps.push(extension(PLATFORM_DB, name));
  const publicGrant = `GRANT USAGE, CREATE ON SCHEMA public TO ${role}`;
  steps.push({
    id: `schema-grant:${PLATFORM_DB}:public`,
    title: `${roleName} may create tables in ${PLATFORM_DB}.public`,
    database: PLATFORM_DB,
    sql: publicGrant,
    present: (c) => exists(c, allOf('has_schema_privilege', "$1, 'public'", ['USAGE', 'CREATE']), [roleName]),
    apply: async (c) => (await ran(c, publicGrant), 'changed'),
  });

  steps.push(extension(KNOWLEDGE_DB, 'vector'));
  steps.push(extension(KNOWLEDGE_DB, 'pg_search', { unavailable: 'pg_search is not available on this server: BM25 full-text search stays off.' }));

  for (const schema of KNOWLEDGE_SCHEMAS) {
    const sql = `CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`;
    steps.push({
      id: `schema:${schema}`,
      title: `Schema ${schema} in ${KNOWLEDGE_DB}`,
      database: KNOWLEDGE_DB,
      sql,
      present: (c) => exists(c, 'EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)', [schema]),
      apply: async (c) => (await ran(c, sql), 'created'),
    });
  }
  const schemas = KNOWLEDGE_SCHEMAS.map(ident).join(', ');
  const schemaGrant = `GRANT USAGE, CREATE ON SCHEMA ${schemas} TO ${role}`;
  steps.push({
    id: 'schema-grant:knowledge',
    title: `${roleName} may use and create in ${KNOWLEDGE_SCHEMAS.join(', ')}`,
    database: KNOWLEDGE_DB,
    sql: schemaGrant,
    present: (c) =>
      exists(c, KNOWLEDGE_SCHEMAS.map((s) => allOf('has_schema_privilege', `$1, '${s}'`, ['USAGE', 'CREATE'])).join(' AND '), [roleName]),
    apply: async (c) => (await ran(c, schemaGrant), 'changed'),
  });

  const searchPath = `ALTER ROLE ${role} IN DATABASE ${ident(KNOWLEDGE_DB)} SET search_path TO ${SEARCH_PATH}`;
  steps.push({
    id: 'search-path',
    title: `search_path of ${roleName} in ${KNOWLEDGE_DB}`,
    database: KNOWLEDGE_DB,
    sql: searchPath,
    present: (c) =>
      exists(
        c,
        `EXISTS (SELECT 1 FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase JOIN pg_roles r ON r.oid = s.setrole
          WHERE d.datname = $2 AND r.rolname = $1 AND $3 = ANY (s.setconfig))`,
        [roleName, KNOWLEDGE_DB, `search_path=${SEARCH_PATH}`],
      ),
    apply: async (c) => (await ran(c, searchPath), 'changed'),
  });

  // Objects that already exist (a re-run, or data copied in before): present when the role holds
  // every privilege on every one of the kind in the schemas.
  const existingGrant = (id: string, kind: 'TABLES' | 'SEQUENCES', relkind: string, privilegeFn: string, privs: string[]): PrepareStep => {
    const sql = `GRANT ALL ON ALL ${kind} IN SCHEMA ${schemas} TO ${role}`;
    return {
      id,
      title: `${roleName} may use existing ${kind.toLowerCase()}`,
      database: KNOWLEDGE_DB,
      sql,
      present: (c) =>
        exists(
          c,
          `NOT EXISTS (SELECT 1 FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace
          WHERE n.nspname = ANY ($2::text[]) AND k.relkind ${relkind}
          AND NOT (${allOf(privilegeFn, '$1, k.oid', privs)}))`,
          [roleName, [...KNOWLEDGE_SCHEMAS]],
        ),
      apply: async (c) => (await ran(c, sql), 'changed'),
    };
  };
  steps.push(existingGrant('table-grants', 'TABLES', "IN ('r', 'p', 'v', 'm', 'f')", 'has_table_privilege', ALL_TABLE_PRIVS));
  steps.push(existingGrant('sequence-grants', 'SEQUENCES', "= 'S'", 'has_sequence_privilege', ALL_SEQ_PRIVS));

  for (const [kind, objtype] of [['TABLES', 'r'], ['SEQUENCES', 'S']] as const) {
    const sql = `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schemas} GRANT ALL ON ${kind} TO ${role}`;
    steps.push({
      id: `default-privileges:${kind.toLowerCase()}`,
      title: `${roleName} may use ${kind.toLowerCase()} the admin creates later`,
      database: KNOWLEDGE_DB,
      sql,
      present: (c) =>
        exists(
          c,
          `(SELECT count(DISTINCT n.nspname) FROM pg_default_acl d JOIN pg_namespace n ON n.oid = d.defaclnamespace,
              LATERAL aclexplode(d.defaclacl) a
            WHERE d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = current_user) AND d.defaclobjtype = $3
              AND n.nspname = ANY ($2::text[]) AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1)) = $4`,
          [roleName, [...KNOWLEDGE_SCHEMAS], objtype, KNOWLEDGE_SCHEMAS.length],
        ),
      apply: async (c) => (await ran(c, sql), 'changed'),
    });
  }
  return steps;
}
