// "Copy existing data" against real servers: the test bed's db running as a deployment's bundled
// db (`<id>-db`, Tale's init scripts, rows inserted), and an empty PostgreSQL 17 + pgvector taken
// through the wizard's Prepare as the external server. pg_dump and psql run inside the bundled db
// container through the Docker Engine; the external server is on the deployment's network, as it
// must be reachable from Tale's containers.
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetwork, runContainer } from '@/e2e/fixtures/containers';
import { createDeployment, newProjectId, removeProjectResources, type Deployment } from '@/e2e/fixtures/deployment';
import { startEmptyPostgres } from '@/e2e/fixtures/empty-postgres';
import { ensureFixtureImages } from '@/e2e/fixtures/fixture-images';
import { pollUntil } from '@/e2e/fixtures/poll';
import { docker as dockerCli } from '@/e2e/fixtures/run-command';
import { GOOD_VERSION, localImage } from '@/e2e/fixtures/versions';
import { dockerExecRunner } from '@/server/docker/exec-stream';
import { withClient, type ConnectTarget } from '@/server/postgres/connection';
import { copyExistingData } from '@/server/services/external-database-copy';
import { prepareServer, testConnection } from '@/server/services/external-database-steps';
import type { CopyEventDto, CopyStatusDto } from '@/lib/dto/external-database';
import type { OperationDto } from '@/lib/dto/operations';
import type { AuditEventDto } from '@/lib/dto/user';
import { startConsole, type RunningConsole } from '../support/console';
import { actionIds, actionResult, callAction } from '../support/server-actions';
import { followToEnd } from '../support/sse-client';
import { localDir } from '@/server/project/file-ops';

const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const ADMIN_PASSWORD = 'adm!n p@ss:w/rd#%';
// Row data that looks like a statement the copy rewrites: COPY data must pass untouched.
const TRICKY = 'CREATE SCHEMA evil;\nline two\twith a tab';

const psqlIn = (container: string, database: string, sql: string) =>
  dockerCli(['exec', container, 'psql', '--no-psqlrc', '-v', 'ON_ERROR_STOP=1', '-U', 'tale', '-d', database, '-At', '-c', sql]);

describe('copying the bundled db to the external server', () => {
  const serverProject = newProjectId('pgcopy-ext');
  let deployment: Deployment;
  let bundled: string;
  let target: ConnectTarget;
  let rolePassword: string;
  const exec = dockerExecRunner(docker);

  beforeAll(async () => {
    await ensureFixtureImages();
    deployment = await createDeployment({ prefix: 'pgcopy' });
    const network = `${deployment.id}_internal`;
    await createNetwork(deployment.id, network);
    bundled = `${deployment.id}-db`;
    await runContainer({ name: bundled, image: localImage('db', GOOD_VERSION), project: deployment.id, network, aliases: ['db'], env: { DB_PASSWORD: deployment.env.DB_PASSWORD! } });

    // The external server, also on the deployment's network.
    const external = await startEmptyPostgres({ project: serverProject, name: 'pg17', adminPassword: ADMIN_PASSWORD, network });
    // Its address on that network reaches it from the bundled db container and from this host alike.
    const info = await docker.getContainer(external.container).inspect();
    const ip = info.NetworkSettings.Networks[network]!.IPAddress;
    target = { ...external.admin, host: ip, port: 5432, sslMode: 'disable' };
    await pollUntil(() => testConnection(target).then(() => true, () => false), Boolean, 60_000, 500);

    await pollUntil(() => dockerCli(['exec', bundled, 'test', '-f', '/tmp/.db_ready']).then(() => true, () => false), Boolean, 120_000, 500);
    await psqlIn(bundled, 'tale_platform', `CREATE TABLE public.documents (id bigint PRIMARY KEY, body jsonb NOT NULL, note text);
      INSERT INTO public.documents SELECT g, jsonb_build_object('n', g), CASE WHEN g = 1 THEN E'${TRICKY.replace(/\n/g, '\\n').replace(/\t/g, '\\t')}' END FROM generate_series(1, 2500) g;
      CREATE TABLE public.leases (id text PRIMARY KEY, ts bigint); INSERT INTO public.leases VALUES ('a', 1), ('b', 2);`);
    await psqlIn(bundled, 'tale_knowledge', `CREATE TABLE private_knowledge.chunks (id serial PRIMARY KEY, content text, embedding vector(3));
      INSERT INTO private_knowledge.chunks (content, embedding) SELECT 'chunk ' || g, ARRAY[g, g + 1, g + 2]::vector FROM generate_series(1, 700) g;
      CREATE TABLE public_web.websites (url text PRIMARY KEY); INSERT INTO public_web.websites VALUES ('https://example.com/');
      CREATE TABLE public_web.website_urls (url text REFERENCES public_web.websites(url));`);

    const prepared = await prepareServer(localDir(deployment.dir), target, { role: 'tale', rotatePassword: false });
    if ('refused' in prepared || !prepared.ok || !prepared.rolePassword) throw new Error('prepare failed');
    rolePassword = prepared.rolePassword;
  }, 300_000);

  afterAll(async () => {
    // The external server first: it is attached to the deployment's network, which goes next.
    await removeProjectResources(serverProject);
    await deployment?.dispose();
  }, 120_000);

  it('copies both databases, reports progress, and the row counts match', async () => {
    const events: CopyEventDto[] = [];
    const summary = await copyExistingData(localDir(deployment.dir), exec, { target, role: 'tale', rolePassword }, (e) => events.push(e));
    expect(summary.failure).toBeNull();
    expect(summary.refused).toEqual([]);
    expect(summary.ok).toBe(true);
    const counts = Object.fromEntries(summary.tables.map((t) => [`${t.database}/${t.schema}.${t.table}`, [t.sourceRows, t.targetRows]]));
    expect(counts).toEqual({
      'tale_platform/public.documents': [2500, 2500],
      'tale_platform/public.leases': [2, 2],
      'tale_knowledge/private_knowledge.chunks': [700, 700],
      'tale_knowledge/public_web.website_urls': [0, 0],
      'tale_knowledge/public_web.websites': [1, 1],
    });

    for (const database of ['tale_platform', 'tale_knowledge']) {
      const mine = events.filter((e) => 'database' in e && e.database === database);
      expect(mine[0]).toEqual({ type: 'database-started', database });
      expect(mine.some((e) => e.type === 'progress')).toBe(true);
      const finished = mine.at(-1)!;
      expect(finished).toMatchObject({ type: 'database-finished', database });
      if (finished.type === 'database-finished') {
        expect(finished.bytes).toBeGreaterThan(0);
        expect(finished.rows).toBe(database === 'tale_platform' ? 2502 : 701);
      }
    }

    // The data itself, read as the service role, which owns what was restored.
    const asRole = (database: string) => ({ ...target, user: 'tale', password: rolePassword, database });
    await withClient(asRole('tale_platform'), async (c) => {
      const r = await c.query<{ note: string | null; n: number }>("SELECT note, (body->>'n')::int AS n FROM public.documents WHERE id = 1");
      expect(r.rows[0]).toEqual({ note: TRICKY, n: 1 });
      const owner = await c.query<{ o: string }>("SELECT tableowner AS o FROM pg_tables WHERE tablename = 'documents'");
      expect(owner.rows[0]!.o).toBe('tale');
      expect((await c.query("SELECT 1 FROM pg_namespace WHERE nspname = 'evil'")).rowCount).toBe(0);
    });
    await withClient(asRole('tale_knowledge'), async (c) => {
      const r = await c.query<{ e: string }>('SELECT embedding::text AS e FROM chunks WHERE id = 3');
      expect(r.rows[0]!.e).toBe('[3,4,5]');
      // A serial's sequence continues where the bundled one stopped.
      const next = await c.query<{ id: number }>("INSERT INTO private_knowledge.chunks (content) VALUES ('new') RETURNING id");
      expect(next.rows[0]!.id).toBe(701);
      await c.query('DELETE FROM private_knowledge.chunks WHERE id = 701');
    });
  }, 180_000);

  it('refuses a second copy because the target holds data, and changes nothing', async () => {
    const events: CopyEventDto[] = [];
    const summary = await copyExistingData(localDir(deployment.dir), exec, { target, role: 'tale', rolePassword }, (e) => events.push(e));
    expect(summary.ok).toBe(false);
    expect(summary.refused.map((r) => [r.database, r.code])).toEqual([
      ['tale_platform', 'COPY_TARGET_HOLDS_DATA'],
      ['tale_knowledge', 'COPY_TARGET_HOLDS_DATA'],
    ]);
    expect(summary.refused[0]!.message).toContain('public.documents');
    expect(events.every((e) => e.type === 'refused')).toBe(true);
    await withClient({ ...target, database: 'tale_platform' }, async (c) => {
      expect((await c.query<{ n: string }>('SELECT count(*) AS n FROM public.documents')).rows[0]!.n).toBe('2500');
    });
  }, 120_000);

  it('rolls a failed restore back completely', async () => {
    // Empty the external databases, then make tale_knowledge's restore fail half-way: without
    // CREATE on public_web, the first table there fails after private_knowledge's were created.
    await withClient({ ...target, database: 'tale_knowledge' }, async (c) => {
      await c.query('DROP TABLE private_knowledge.chunks, public_web.website_urls, public_web.websites');
      await c.query('REVOKE CREATE ON SCHEMA public_web FROM tale');
    });
    await withClient({ ...target, database: 'tale_platform' }, (c) => c.query('DROP TABLE public.documents, public.leases'));
    const summary = await copyExistingData(localDir(deployment.dir), exec, { target, role: 'tale', rolePassword });
    expect(summary.ok).toBe(false);
    expect(summary.failure).toMatch(/Restoring tale_knowledge .* nothing of it was kept: .*permission denied for schema public_web/);
    // tale_platform went through; tale_knowledge holds nothing, not even the tables created before the error.
    const knowledge = summary.tables.filter((t) => t.database === 'tale_knowledge');
    expect(knowledge.every((t) => t.targetRows === null)).toBe(true);
    expect(summary.tables.filter((t) => t.database === 'tale_platform').every((t) => t.match)).toBe(true);
    await withClient({ ...target, database: 'tale_knowledge' }, (c) => c.query('GRANT CREATE ON SCHEMA public_web TO tale'));
  }, 180_000);
  // The console runs the copy as a `database-copy` operation. To overlap a reset with it without
  // timing, the test holds an exclusive lock on a bundled table the copy must read: while the lock
  // is held the copy cannot finish, so the reset asked for meanwhile meets a running copy.
  describe('as an operation of the console', () => {
    let app: RunningConsole;
    const call = async <T>(name: string, input: unknown) => {
      const id = actionIds().get(name);
      if (!id) throw new Error(`no server action ${name} in the build`);
      return actionResult<T>(await callAction(app.baseURL, id, ['local', input], app.cookie));
    };
    const get = async <T>(url: string) => (await (await fetch(`${app.baseURL}${url}`, { headers: { Cookie: app.cookie } })).json()) as T;

    beforeAll(async () => {
      // Empty the external databases again (the tests above left tale_platform copied).
      await withClient({ ...target, database: 'tale_platform' }, (c) => c.query('DROP TABLE IF EXISTS public.documents, public.leases'));
      app = await startConsole({ deployDir: deployment.dir });
    }, 180_000);

    afterAll(async () => {
      await app?.stop();
    });

    const connection = () => ({ kind: 'fields', host: target.host, port: target.port, user: target.user, password: target.password, database: target.database, sslMode: 'disable' });
    const startCopy = () => call<{ id: string }>('app/(console)/settings/database/actions.ts#copyDataAction', { connection: connection(), role: 'tale', rolePassword, confirm: true });
    const follow = (id: string) => followToEnd(`${app.baseURL}/api/operations/${id}/events`, { cookie: app.cookie, timeoutMs: 170_000, context: () => app.output().slice(-2000) });

    /**
     * Starts a copy while a transaction holds an exclusive lock on a bundled table, waits until the
     * copy waits for that lock (it counts every table's rows first), runs `meanwhile`, then lets go.
     */
    async function whileCopyIsHeld(meanwhile: (copy: OperationDto) => Promise<void>): Promise<OperationDto> {
      const info = await docker.getContainer(bundled).inspect();
      const source: ConnectTarget = {
        host: info.NetworkSettings.Networks[`${deployment.id}_internal`]!.IPAddress,
        port: 5432,
        user: 'tale',
        password: deployment.env.DB_PASSWORD!,
        database: 'tale_knowledge',
        sslMode: 'disable',
      };
      return withClient(source, async (holder) => {
        await holder.query('BEGIN');
        await holder.query('LOCK TABLE private_knowledge.chunks IN ACCESS EXCLUSIVE MODE');
        try {
          const started = await startCopy();
          if (!started?.ok) throw new Error(`copy not started: ${JSON.stringify(started)}`);
          await pollUntil(
            () => withClient(source, (c) => c.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted').then((r) => r.rows[0]!.n)),
            (n) => n > 0,
            120_000,
            250,
          );
          const copy = await get<OperationDto>(`/api/v1/operations/${started.data.id}`);
          expect(copy).toMatchObject({ kind: 'database-copy', status: 'running', params: { role: 'tale' } });
          await meanwhile(copy);
          return copy;
        } finally {
          await holder.query('ROLLBACK');
        }
      });
    }

    it('cancels a copy before it restores anything', async () => {
      const copy = await whileCopyIsHeld(async (op) => {
        const res = await fetch(`${app.baseURL}/api/v1/operations/${op.id}/cancel`, { method: 'POST', headers: { Cookie: app.cookie, Origin: app.baseURL } });
        expect(res.status).toBe(204);
      });
      const { events, end } = await follow(copy.id);
      expect(end.status).toBe('cancelled');
      expect(events.some((e) => e.data?.type === 'database-started')).toBe(false);
      await withClient({ ...target, database: 'tale_platform' }, async (c) => {
        expect((await c.query("SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'documents'")).rowCount).toBe(0);
      });
      const status = await call<CopyStatusDto>('app/(console)/settings/database/actions.ts#copyStatusAction', { id: copy.id });
      expect(status).toMatchObject({ ok: true, data: { state: 'done', summary: { ok: false, failure: 'Cancelled by a user before anything was copied.' } } });
    }, 300_000);

    it('refuses a reset while the copy runs, finishes the copy, and records both', async () => {
      const copy = await whileCopyIsHeld(async () => {
        const reset = await call<OperationDto>('app/(console)/deployments/actions.ts#resetAction', { projectId: deployment.id, all: true, volumes: true });
        expect(reset).toEqual({ ok: false, code: 'OPERATION_IN_PROGRESS', message: 'Another operation is running (database-copy). Wait for it to finish or cancel it.' });
        // So is a second copy.
        expect(await startCopy()).toMatchObject({ ok: false, code: 'OPERATION_IN_PROGRESS' });
      });

      const { events, end } = await follow(copy.id);
      expect(end.status, JSON.stringify(end.error)).toBe('succeeded');
      expect(end.result).toMatchObject({ ok: true, refused: [], failure: null });
      expect(events.filter((e) => e.data?.type === 'database-finished').map((e) => e.data?.database)).toEqual(['tale_platform', 'tale_knowledge']);
      // The role password was only in the job's memory: not in the params, the events or the result.
      expect(JSON.stringify({ end, events })).not.toContain(rolePassword);

      // The wizard's view, read back from the operation.
      const status = await call<CopyStatusDto>('app/(console)/settings/database/actions.ts#copyStatusAction', { id: copy.id });
      expect(status).toMatchObject({ ok: true, data: { id: copy.id, state: 'done', summary: { ok: true } } });

      // The history lists the copy that ran; the refused reset never ran, so the audit trail holds it.
      const history = (await get<{ operations: OperationDto[] }>('/api/v1/operations')).operations;
      expect(history.filter((o) => o.kind === 'database-copy').map((o) => o.status)).toEqual(['succeeded', 'cancelled']);
      expect(history.find((o) => o.kind === 'database-copy')?.id).toBe(copy.id);
      expect(history.some((o) => o.kind === 'reset')).toBe(false);
      const resets = (await get<{ events: AuditEventDto[] }>('/api/v1/audit?action=operations.reset')).events;
      expect(resets.map((a) => [a.outcome, a.message])).toEqual([['denied', 'another operation is running (database-copy)']]);
      const copies = (await get<{ events: AuditEventDto[] }>('/api/v1/audit?action=database.copy')).events;
      expect(copies.map((a) => a.outcome)).toEqual(['failure', 'success', 'success']);
      expect(copies[0]!.message).toBe('Another operation is running (database-copy). Wait for it to finish or cancel it.');
      const finished = (await get<{ events: AuditEventDto[] }>('/api/v1/audit?action=database.copy_finished')).events;
      expect(finished.map((a) => [a.outcome, a.message])).toEqual([
        ['success', 'copied'],
        ['failure', 'Cancelled by a user before anything was copied.'],
      ]);
    }, 300_000);
  });
});
