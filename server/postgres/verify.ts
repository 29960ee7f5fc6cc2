import type { VerifyItemDto } from '@/lib/dto/external-database';
import { parseConnectionUrl, queryError, withClient } from './connection';
import { KNOWLEDGE_DB, PLATFORM_DB } from './prepare-plan';
import type { ServiceUrls } from './service-urls';

// Proves the written configuration the way the services will use it: log in as the service role
// with each URL and create (and roll back) a table where that service creates its own.

/** The database each service URL is verified against (Convex adds the database name itself). */
export const VERIFY_DATABASES: Record<keyof ServiceUrls, string> = {
  POSTGRES_URL: PLATFORM_DB,
  RAG_DATABASE_URL: KNOWLEDGE_DB,
  CRAWLER_DATABASE_URL: KNOWLEDGE_DB,
};

interface Target {
  label: string;
  url: string;
  database: string;
  schema: string;
  extension: string | null;
}

function targets(urls: ServiceUrls): Target[] {
  return [
    // Convex adds the database name to POSTGRES_URL itself.
    { label: `POSTGRES_URL → ${PLATFORM_DB}.public (Convex)`, url: urls.POSTGRES_URL, database: PLATFORM_DB, schema: 'public', extension: null },
    { label: `RAG_DATABASE_URL → ${KNOWLEDGE_DB}.private_knowledge (rag)`, url: urls.RAG_DATABASE_URL, database: KNOWLEDGE_DB, schema: 'private_knowledge', extension: 'vector' },
    { label: `CRAWLER_DATABASE_URL → ${KNOWLEDGE_DB}.public_web (crawler)`, url: urls.CRAWLER_DATABASE_URL, database: KNOWLEDGE_DB, schema: 'public_web', extension: 'vector' },
  ];
}

async function verifyOne(t: Target, caCert: string | undefined): Promise<VerifyItemDto> {
  let conn;
  try {
    conn = parseConnectionUrl(t.url);
  } catch (err) {
    return { target: t.label, ok: false, detail: queryError(err).message };
  }
  if (conn.database !== 'postgres' && conn.database !== t.database) {
    return { target: t.label, ok: false, detail: `The URL names database ${conn.database}, expected ${t.database}` };
  }
  try {
    return await withClient({ ...conn, database: t.database, caCert }, async (client) => {
      const info = await client.query<{ path: string; ext: boolean; tls: boolean | null }>(
        `SELECT current_setting('search_path') AS path,
                EXISTS (SELECT 1 FROM pg_extension WHERE extname = $1) AS ext,
                (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()) AS tls`,
        [t.extension ?? ''],
      );
      const row = info.rows[0]!;
      if (t.extension && !row.ext) return { target: t.label, ok: false, detail: `Extension ${t.extension} is not installed in ${t.database}` };
      // A real CREATE TABLE in the service's schema, rolled back: privileges are proven, nothing is left.
      await client.query('BEGIN');
      try {
        await client.query(`CREATE TABLE "${t.schema}"."tale_console_verify" (id int)`);
      } finally {
        await client.query('ROLLBACK');
      }
      const pathNote = t.database === KNOWLEDGE_DB ? `, search_path ${row.path}` : '';
      return { target: t.label, ok: true, detail: `Signed in as ${conn.user}${row.tls ? ' over TLS' : ''}; can create tables in ${t.schema}${pathNote}` };
    });
  } catch (err) {
    return { target: t.label, ok: false, detail: queryError(err).message };
  }
}

/** The server or the network dropped the session without a PostgreSQL error: worth one more try. */
const DROPPED = /^(Connection terminated unexpectedly|read ECONNRESET|write EPIPE)$/;

export async function verifyServiceUrls(urls: ServiceUrls, caCert?: string): Promise<VerifyItemDto[]> {
  const out: VerifyItemDto[] = [];
  for (const t of targets(urls)) {
    // Seen once in CI on a loaded host; a dropped connection says nothing about the configuration,
    // so it is asked once more before the operator is shown a failure.
    const first = await verifyOne(t, caCert);
    out.push(!first.ok && DROPPED.test(first.detail) ? await verifyOne(t, caCert) : first);
  }
  return out;
}
