// Backups of a stack on an external PostgreSQL (docs/backups.md#external-databases), on the real
// test bed through the console's HTTP API: a project deployed on the bundled db, then switched by
// the wizard's steps to an empty PostgreSQL 17 + pgvector (the test bed's db image with its init
// scripts masked) on the stack's network, and deployed again (no db running any more). A backup
// dumps tale_platform and tale_knowledge from that server, from a short-lived container of the
// stack's db image; rows changed there are put back by a restore that names the server in its
// typed confirmation; the drill replays the backup into its throwaway PostgreSQL; and with the
// external server stopped, a backup fails with BACKUP_EXTERNAL_DB_UNREACHABLE naming host:port and
// no new backup is listed.
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDir } from '@/server/project/file-ops';
import type { BackupListDto } from '@/lib/dto/backups';
import { newProjectId, removeProjectResources } from '@/e2e/fixtures/deployment';
import { startEmptyPostgres } from '@/e2e/fixtures/empty-postgres';
import { pollUntil } from '@/e2e/fixtures/poll';
import { docker as dockerCli } from '@/e2e/fixtures/run-command';
import { GOOD_VERSION } from '@/e2e/fixtures/versions';
import { withClient, type ConnectTarget } from '@/server/postgres/connection';
import { configureProject, prepareServer, testConnection } from '@/server/services/external-database-steps';
import { startBackupTestBed, type BackupTestBed } from '../support/backup-test-bed';

const engine = new Docker({ socketPath: '/var/run/docker.sock' });
const ADMIN_PASSWORD = 'xd adm!n p@ss';
const ROLE = 'tale';

let bed: BackupTestBed;
const serverProject = newProjectId('xd-ext');
let external: string;
let admin: ConnectTarget;
let rolePassword: string;

const asRole = (database: string): ConnectTarget => ({ ...admin, user: ROLE, password: rolePassword, database });
const query = <T extends Record<string, unknown>>(database: string, sql: string) => withClient(asRole(database), async (c) => (await c.query<T>(sql)).rows);
const count = async (database: string, table: string) => Number((await query<{ n: string }>(database, `SELECT count(*) AS n FROM ${table}`))[0]!.n);
const helpers = async () => (await engine.listContainers({ all: true, filters: JSON.stringify({ label: ['io.tale.console.role=backup-helper'] }) })).map((c) => c.Names[0]);
const list = async () => (await bed.api('GET', '/api/v1/backups')).json as unknown as BackupListDto;

beforeAll(async () => {
  bed = await startBackupTestBed('xd');
  const network = `${bed.deployment.id}_internal`;
  ({ container: external } = await startEmptyPostgres({ project: serverProject, name: 'pg17', adminPassword: ADMIN_PASSWORD, network }));
  // Its address on the stack's network: Tale's containers and this host both reach it there.
  const ip = (await engine.getContainer(external).inspect()).NetworkSettings.Networks[network]!.IPAddress;
  admin = { host: ip, port: 5432, user: 'postgres', password: ADMIN_PASSWORD, database: 'postgres', sslMode: 'disable' };
  await pollUntil(() => testConnection(admin).then(() => true, () => false), Boolean, 60_000, 500);
  const prepared = await prepareServer(localDir(bed.deployment.dir), admin, { role: ROLE, rotatePassword: false });
  if ('refused' in prepared || !prepared.ok || !prepared.rolePassword) throw new Error(`prepare failed: ${JSON.stringify(prepared)}`);
  rolePassword = prepared.rolePassword;
  await configureProject(localDir(bed.deployment.dir), { target: admin, role: ROLE, rolePassword, apply: true });
  // The deploy that applies it: the new colour on the external server, the bundled db stopped.
  const deploy = await bed.api('POST', '/api/v1/deployments', { version: GOOD_VERSION });
  expect(deploy.status, JSON.stringify(deploy.json)).toBe(202);
  expect((await bed.follow(String(deploy.json.id))).end.status).toBe('succeeded');
  expect((await engine.getContainer(`${bed.deployment.id}-db`).inspect()).State.Running).toBe(false);

  // Data of Tale's two databases there, made as the services' role (as Convex and rag make theirs).
  await query('tale_platform', 'CREATE TABLE public.xd_docs (id int PRIMARY KEY, body jsonb); INSERT INTO public.xd_docs SELECT g, jsonb_build_object(\'n\', g) FROM generate_series(1, 1500) g');
  await query('tale_knowledge', "CREATE TABLE private_knowledge.xd_chunks (id serial PRIMARY KEY, content text, embedding vector(3)); INSERT INTO private_knowledge.xd_chunks (content, embedding) SELECT 'chunk ' || g, ARRAY[g, g, g]::vector FROM generate_series(1, 300) g");
}, 900_000);

afterAll(async () => {
  // The external server first: it is attached to the deployment's network, which goes with the bed.
  await removeProjectResources(serverProject);
  await bed?.dispose();
}, 180_000);

describe('backups of a stack on an external PostgreSQL', () => {
  let good: string;

  it('backs up the external databases with their row counts and where they came from, no password anywhere', async () => {
    const t0 = Date.now();
    const started = await bed.api('POST', '/api/v1/backups', {});
    expect(started.status, JSON.stringify(started.json)).toBe(202);
    const { end, events } = await bed.follow(String(started.json.id));
    expect(end.status, JSON.stringify(end.error)).toBe('succeeded');
    console.log(`[extdb] backup with 2 external databases: ${Date.now() - t0} ms`);
    const backup = (await list()).backups[0]!;
    good = backup.id;
    expect(backup.databases.map((d) => [d.name, d.source])).toEqual([
      ['tale_knowledge', { kind: 'external', host: admin.host, port: 5432, user: ROLE }],
      ['tale_platform', { kind: 'external', host: admin.host, port: 5432, user: ROLE }],
    ]);
    expect(backup.databases.find((d) => d.name === 'tale_platform')!.tables).toContainEqual({ schema: 'public', table: 'xd_docs', rows: 1500 });
    expect(backup.databases.find((d) => d.name === 'tale_knowledge')!.tables).toContainEqual({ schema: 'private_knowledge', table: 'xd_chunks', rows: 300 });
    expect(backup.consistency).toContain('external server');
    // The dump itself is the external server's data.
    const dump = await bed.restic(['dump', backup.databases.find((d) => d.name === 'tale_platform')!.snapshotId, '/databases/tale_platform.sql']);
    expect(dump).toContain('COPY public.xd_docs');
    const manifest = await bed.restic(['dump', good, '/manifest.json']);
    for (const text of [manifest, JSON.stringify({ end, events }), bed.app.output()]) expect(text).not.toContain(rolePassword);
    expect(await helpers()).toEqual([]);
  }, 400_000);

  it('restores the external databases after rows changed there, once the server is named in the confirmation', async () => {
    await query('tale_platform', 'DELETE FROM public.xd_docs WHERE id > 1000; CREATE TABLE public.xd_after (id int)');
    await query('tale_knowledge', "UPDATE private_knowledge.xd_chunks SET content = 'changed'");
    expect(await count('tale_platform', 'public.xd_docs')).toBe(1000);

    const unconfirmed = await bed.api('POST', '/api/v1/restores', { snapshot: good, projectId: bed.deployment.id });
    expect(unconfirmed.json).toMatchObject({ code: 'RESTORE_EXTERNAL_UNCONFIRMED' });
    expect(String(unconfirmed.json.message)).toContain(`${admin.host}:5432`);

    const t0 = Date.now();
    const started = await bed.api('POST', '/api/v1/restores', { snapshot: good, projectId: bed.deployment.id, externalServer: `${admin.host}:5432` });
    expect(started.status, JSON.stringify(started.json)).toBe(202);
    const { end, events } = await bed.follow(String(started.json.id));
    expect(end.status, JSON.stringify(end.error)).toBe('succeeded');
    console.log(`[extdb] restore (safety backup, 2 external databases, volumes, restart): ${Date.now() - t0} ms`);
    expect(end.result).toMatchObject({ databases: ['tale_knowledge', 'tale_platform'] });
    expect(events.find((e) => e.step === 'restore' && e.status === 'started' && e.data?.item === 'databases/tale_platform.sql')?.data?.server).toBe(`${admin.host}:5432`);

    expect(await count('tale_platform', 'public.xd_docs')).toBe(1500);
    expect(await query('tale_platform', "SELECT 1 FROM pg_tables WHERE tablename = 'xd_after'")).toEqual([]);
    expect(await query('tale_knowledge', "SELECT count(*)::int AS n FROM private_knowledge.xd_chunks WHERE content = 'changed'")).toEqual([{ n: 0 }]);
    expect(await query('tale_knowledge', 'SELECT embedding::text AS e FROM private_knowledge.xd_chunks WHERE id = 7')).toEqual([{ e: '[7,7,7]' }]);
    // The services' role still owns what it made, and the admin's grants are intact: it can create tables again.
    await query('tale_knowledge', 'CREATE TABLE public_web.xd_probe (id int); DROP TABLE public_web.xd_probe');
    expect(JSON.stringify({ end, events })).not.toContain(rolePassword);
    expect(await helpers()).toEqual([]);
  }, 600_000);

  it('passes the drill of that backup in the throwaway PostgreSQL', async () => {
    const started = await bed.api('POST', '/api/v1/backups/drills', { snapshot: good });
    expect(started.status, JSON.stringify(started.json)).toBe(202);
    const { end } = await bed.follow(String(started.json.id));
    expect(end.status, JSON.stringify(end.error)).toBe('succeeded');
    expect(end.result).toMatchObject({ passed: true, databases: 2 });
    console.log(`[extdb] drill: ${String(end.result?.tables)} tables counted, psql errors seen: ${JSON.stringify(end.result?.errors)}`);
  }, 400_000);

  it('fails a backup with the coded error naming host:port when the external server is down, and lists no new backup', async () => {
    const before = (await list()).backups.map((b) => b.id);
    await dockerCli(['stop', '-t', '5', external]);
    const started = await bed.api('POST', '/api/v1/backups', {});
    expect(started.status, JSON.stringify(started.json)).toBe(202);
    const { end } = await bed.follow(String(started.json.id));
    console.log(`[extdb] backup with the server down: ${end.status} ${end.error?.code}: ${end.error?.message}`);
    expect(end.status).toBe('failed');
    expect(end.error?.code).toBe('BACKUP_EXTERNAL_DB_UNREACHABLE');
    expect(end.error?.message).toContain(`${admin.host}:5432`);
    expect(end.error?.message).not.toContain(rolePassword);
    expect((await list()).backups.map((b) => b.id)).toEqual(before);
    // Only complete backups' parts remain: the failed one forgot what it stored.
    const snapshots = JSON.parse(await bed.restic(['snapshots', '--json'])) as { tags: string[] }[];
    const complete = new Set((await list()).backups.map((b) => b.backupId));
    for (const s of snapshots) expect(complete.has(s.tags.find((t) => t.startsWith('tale-backup:'))!.slice('tale-backup:'.length))).toBe(true);
    expect(await helpers()).toEqual([]);
  }, 300_000);
});
