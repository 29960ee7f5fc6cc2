import { describe, expect, it } from 'vitest';
import { containerName } from '../stack/stack-names';
import { clientContainers, externalDatabases, externalEnv, externalFailure, serverLabel, unexpectedReplayErrors } from './external-sources';

const SECRET = 'pa ss:w/rd@#';
const url = (db = '') => `postgresql://tale_app:${encodeURIComponent(SECRET)}@PG.example.net:6432${db ? `/${db}` : ''}`;

describe('external databases of a stack', () => {
  it('reads tale_platform from convex and the platform, and rag and the crawler their own database, once each', () => {
    const found = externalDatabases([
      { service: 'convex', env: { POSTGRES_URL: url() } },
      { service: 'platform', env: { POSTGRES_URL: url() } },
      { service: 'rag', env: { RAG_DATABASE_URL: url('tale_knowledge') } },
      { service: 'crawler', env: { CRAWLER_DATABASE_URL: url('tale_knowledge') } },
    ]);
    expect(found).toEqual([
      { name: 'tale_knowledge', host: 'pg.example.net', port: 6432, user: 'tale_app', password: SECRET, sslMode: 'disable' },
      { name: 'tale_platform', host: 'pg.example.net', port: 6432, user: 'tale_app', password: SECRET, sslMode: 'disable' },
    ]);
  });

  it('adds nothing for services on the bundled db', () => {
    expect(externalDatabases([{ service: 'convex', env: {} }, { service: 'rag', env: { RAG_DATABASE_URL: 'postgresql://tale:x@db:5432/tale_knowledge' } }])).toEqual([]);
  });

  it('refuses an external URL it cannot read, naming the service and never the password', () => {
    const bad = `postgresql://tale_app:${encodeURIComponent(SECRET)}@pg.example.net:6432/tale_knowledge?application_name=x`;
    let err: { code?: string; message: string } | null = null;
    try {
      externalDatabases([{ service: 'rag', env: { RAG_DATABASE_URL: bad } }]);
    } catch (e) {
      err = e as { code: string; message: string };
    }
    expect(err?.code).toBe('BACKUP_EXTERNAL_DB_UNKNOWN');
    expect(err?.message).toContain('rag');
    expect(err?.message).toContain('pg.example.net:6432');
    expect(err?.message).not.toContain(SECRET);
    expect(err?.message).not.toContain(encodeURIComponent(SECRET));
  });

  it('lists both colours of the rotatable clients and convex once', () => {
    expect(clientContainers('acme', containerName).map((c) => c.name)).toEqual([
      'acme-convex',
      'acme-platform-blue',
      'acme-platform-green',
      'acme-rag-blue',
      'acme-rag-green',
      'acme-crawler-blue',
      'acme-crawler-green',
    ]);
  });

  it('puts the password only in PGPASSWORD', () => {
    const env = externalEnv({ name: 'tale_platform', host: 'pg', port: 5432, user: 'tale_app', password: SECRET, sslMode: 'verify-full' });
    expect(Object.entries(env).filter(([, v]) => v.includes(SECRET)).map(([k]) => k)).toEqual(['PGPASSWORD']);
    expect(env).toMatchObject({ PGHOST: 'pg', PGPORT: '5432', PGUSER: 'tale_app', PGDATABASE: 'tale_platform', PGSSLMODE: 'require' });
  });

  it('calls a failed connection unreachable, naming host:port; other failures a failed dump', () => {
    const d = { name: 'tale_platform', host: '10.1.2.3', port: 5432 };
    const down = externalFailure(d, 'psql', 2, 'psql: error: connection to server at "10.1.2.3", port 5432 failed: Connection refused\n');
    expect(down.code).toBe('BACKUP_EXTERNAL_DB_UNREACHABLE');
    expect(down.message).toMatch(/^The external PostgreSQL at 10\.1\.2\.3:5432 \(database tale_platform\) cannot be reached from the stack's network: connection to server/);
    const denied = externalFailure(d, 'pg_dump', 1, 'pg_dump: error: query failed: ERROR:  permission denied for table secrets\n');
    expect(denied.code).toBe('BACKUP_DUMP_FAILED');
    expect(denied.message).toContain('permission denied for table secrets');
    expect(serverLabel({ host: 'fd00::5', port: 5432 })).toBe('[fd00::5]:5432');
  });

  it('accepts the replay errors on what the admin owns, and no others', () => {
    const stderr = [
      'psql:<stdin>:20: ERROR:  must be owner of schema public_web',
      'psql:<stdin>:21: ERROR:  schema "public_web" already exists',
      'psql:<stdin>:30: ERROR:  must be owner of extension vector',
      'psql:<stdin>:440: ERROR:  permission denied to change default privileges',
      'psql:<stdin>:99: ERROR:  permission denied for table chunks',
      'SET',
    ].join('\n');
    expect(unexpectedReplayErrors(stderr)).toEqual(['psql:<stdin>:99: ERROR:  permission denied for table chunks']);
  });
});
