// Backup and restore on the real test bed, through the console's HTTP API: a deployment of 1.0.0
// (the db image with Tale's init scripts, stand-ins for the rest), known rows in every bundled
// database and known files in every state volume, a backup into a restic repository (Debian's
// restic), then changes and deletions, then a restore: every row and every file must be back byte
// for byte. Also: a backup of another project and a restore while another operation runs are
// refused, and the repository password is shown once and nowhere else.
import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupListDto } from '@/lib/dto/backups';
import type { OperationDto } from '@/lib/dto/operations';
import { withClient, type ConnectTarget } from '@/server/postgres/connection';
import type { Deployment } from '../fixtures/deployment';
import { httpGet } from '../fixtures/http-get';
import { GOOD_VERSION } from '../fixtures/versions';
import { auditEvents } from '../support/audit';
import { allContent as allContentOf, changeKnownContent, DATABASES, seedKnownContent, VOLUMES } from '../support/backup-content';
import { startBackupTestBed, type BackupTestBed } from '../support/backup-test-bed';
import { rssMiB, type RunningConsole } from '../support/console';

const engine = new Docker({ socketPath: '/var/run/docker.sock' });
/** About 1 KB each: a dump of some 64 MB, enough to show in the console's memory if it were held there. */
const BULK_ROWS = 64_000;

let bed: BackupTestBed;
let deployment: Deployment;
let app: RunningConsole;
let proxyPort: number;
let scratch: string;
const api = (method: string, url: string, body?: unknown) => bed.api(method, url, body);
const follow = (id: string) => bed.follow(id);

const allContent = () => allContentOf(deployment.id);

beforeAll(async () => {
  bed = await startBackupTestBed('bk');
  ({ deployment, app, proxyPort, scratch } = bed);
  // Known rows in every database and known files in every state volume (e2e/support/backup-content.ts).
  await seedKnownContent(deployment.id, scratch, { tag: 'bk', rows: 800, bulkRows: BULK_ROWS });
}, 600_000);

afterAll(async () => {
  await bed?.dispose();
}, 180_000);

describe('backup and restore', () => {
  let before: Awaited<ReturnType<typeof allContent>>;
  let backupId: string;
  let password: string;

  it('backs up every database, the state volumes and the project files, and shows the repository password once', async () => {
    before = await allContent();
    const rssBefore = rssMiB(app.pid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(app.pid))), 100);
    const t0 = Date.now();
    const started = await api('POST', '/api/v1/backups', {});
    expect(started.status, JSON.stringify(started.json)).toBe(202);
    password = String(started.json.repositoryPassword);
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const passwordFile = path.join(app.dataDir, 'backup-password');
    expect(fs.readFileSync(passwordFile, 'utf8')).toBe(password);
    expect(fs.statSync(passwordFile).mode & 0o777).toBe(0o600);

    const { events, end } = await follow(String(started.json.id)).finally(() => clearInterval(sampler));
    expect(end.status, JSON.stringify(end.error)).toBe('succeeded');
    console.log(`[backup] console RSS ${rssBefore.toFixed(0)} MiB before, ${rssPeak.toFixed(0)} MiB at most during the backup (it streams; the dumps add up to more than that difference)`);
    const items = events.filter((e) => e.step === 'backup' && e.status === 'succeeded').map((e) => e.data?.item);
    expect(items).toEqual([...DATABASES.map((d) => `databases/${d}.sql`), ...VOLUMES.map((v) => `volumes/${v}.tar`), 'project/files.json', 'manifest.json']);
    expect(events.some((e) => e.step === 'backup' && e.status === 'progress' && Number(e.data?.bytes) > 0)).toBe(true);

    const list = (await api('GET', '/api/v1/backups')).json as unknown as BackupListDto;
    expect(list.repository.initialised).toBe(true);
    expect(list.backups).toHaveLength(1);
    const b = list.backups[0]!;
    backupId = b.id;
    console.log(`[backup] ${(b.bytes / 1e6).toFixed(2)} MB streamed, ${(b.dataAdded / 1e6).toFixed(2)} MB added to the repository, ${b.durationMs} ms by the manifest, ${Date.now() - t0} ms to the end of the operation`);
    expect(b).toMatchObject({ projectId: deployment.id, kind: 'manual', startedBy: 'admin@example.com', release: { version: GOOD_VERSION } });
    const rows = (db: string, table: string) => b.databases.find((d) => d.name === db)?.tables.find((t) => `${t.schema}.${t.table}` === table)?.rows;
    expect(rows('tale', 'public.bk_rows')).toBe(800);
    expect(rows('tale_knowledge', 'private_knowledge.bk_chunks')).toBe(300);
    expect(rows('tale_platform', 'public.bk_documents')).toBe(1200);
    expect(rows('tale_platform', 'public.bk_bulk')).toBe(BULK_ROWS);
    expect(b.volumes.map((v) => v.name)).toEqual(VOLUMES.map((v) => `${deployment.id}_${v}`));
    expect(b.projectFiles.files).toEqual(expect.arrayContaining(['.env', 'tale.json', '.tale/console-releases.json']));

    // The password is in no page answer, event, audit row or log line after that one answer.
    const audit = await auditEvents(app.baseURL, app.cookie);
    const shown = [JSON.stringify(events), JSON.stringify(list), JSON.stringify(audit), app.output(), await (await fetch(`${app.baseURL}/backups`, { headers: { Cookie: app.cookie } })).text()];
    for (const text of shown) expect(text.includes(password)).toBe(false);
    expect(audit.some((e) => e.action === 'backups.repository_init')).toBe(true);
    // The second backup does not show it again.
    expect(((await api('GET', '/api/v1/operations')).json.operations as OperationDto[]).every((o) => !JSON.stringify(o).includes(password))).toBe(true);
  }, 300_000);

  it('refuses a restore while a backup runs, and a cancelled backup leaves no backup behind', async () => {
    // A table held exclusively keeps the backup waiting at its first database, however fast the machine.
    const info = await engine.getContainer(`${deployment.id}-db`).inspect();
    const target: ConnectTarget = {
      host: info.NetworkSettings.Networks[`${deployment.id}_internal`]!.IPAddress,
      port: 5432,
      user: 'tale',
      password: deployment.env.DB_PASSWORD!,
      database: 'tale',
      sslMode: 'disable',
    };
    const second = await withClient(target, async (holder) => {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE public.bk_rows IN ACCESS EXCLUSIVE MODE');
      try {
        const started = await api('POST', '/api/v1/backups', {});
        expect(started.status).toBe(202);
        expect(started.json.repositoryPassword).toBeNull();
        const refused = await api('POST', '/api/v1/restores', { snapshot: backupId, projectId: deployment.id });
        expect(refused.status).toBe(409);
        expect(refused.json).toMatchObject({ code: 'OPERATION_IN_PROGRESS', message: expect.stringContaining('(backup)') });
        const deploy = await api('POST', '/api/v1/deployments', { version: GOOD_VERSION });
        expect(deploy.status).toBe(409);
        expect((await api('POST', `/api/v1/operations/${String(started.json.id)}/cancel`, {})).status).toBe(204);
        return String(started.json.id);
      } finally {
        await holder.query('ROLLBACK');
      }
    });
    expect((await follow(second)).end.status).toBe('cancelled');
    expect(((await api('GET', '/api/v1/backups')).json as unknown as BackupListDto).backups.map((b) => b.id)).toEqual([backupId]);
  }, 300_000);

  it('refuses a backup of another project, and a wrong typed confirmation, changing nothing', async () => {
    // The real manifest under another project's id and tag, stored with restic itself.
    const manifest = JSON.parse(await bed.restic(['dump', backupId, '/manifest.json'])) as Record<string, unknown>;
    const forgedFile = path.join(scratch, 'manifest.json');
    fs.writeFileSync(forgedFile, JSON.stringify({ ...manifest, projectId: 'someone-else-123456' }));
    const stored = await bed.restic(['backup', '--json', '--stdin', '--stdin-filename=manifest.json', '--tag=tale-project:someone-else-123456', '--tag=tale-manifest'], fs.readFileSync(forgedFile));
    const forged = /"snapshot_id":"([0-9a-f]+)"/.exec(stored)![1]!;

    const other = await api('POST', '/api/v1/restores', { snapshot: forged, projectId: deployment.id });
    expect(other.status).toBe(422);
    expect(other.json).toMatchObject({ code: 'BACKUP_OTHER_PROJECT', message: expect.stringContaining('someone-else-123456') });
    const wrong = await api('POST', '/api/v1/restores', { snapshot: backupId, projectId: 'not-this-project' });
    expect(wrong.json.code).toBe('CONFIRMATION_MISMATCH');
    const unknown = await api('POST', '/api/v1/restores', { snapshot: 'f'.repeat(64), projectId: deployment.id });
    expect(unknown.status).toBe(404);
    // Nothing stopped, and the list shows only this project's backup.
    const platform = await engine.getContainer(`${deployment.id}-platform-blue`).inspect();
    expect(platform.State.Running).toBe(true);
    expect(((await api('GET', '/api/v1/backups')).json as unknown as BackupListDto).backups.map((b) => b.id)).toEqual([backupId]);
    const denied = await auditEvents(app.baseURL, app.cookie, 'operations.restore');
    expect(denied.filter((e) => e.outcome === 'denied').length).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('restores every row and every file byte for byte after changes and deletions', async () => {
    // Change, delete and add, in every database and every volume.
    await changeKnownContent(deployment.id, 'bk');
    const changed = await allContent();
    expect(changed).not.toEqual(before);

    const t0 = Date.now();
    const started = await api('POST', '/api/v1/restores', { snapshot: backupId, projectId: deployment.id });
    expect(started.status, JSON.stringify(started.json)).toBe(202);
    const { events, end } = await follow(String(started.json.id));
    expect(end.status, JSON.stringify(end.error)).toBe('succeeded');
    console.log(`[restore] ${Date.now() - t0} ms from the request to the end of the operation (writers stopped, ${DATABASES.length} databases and ${VOLUMES.length} volumes restored, health gate passed)`);
    const stopped = events.find((e) => e.step === 'restore' && e.data?.item === 'stop-writers' && e.status === 'succeeded')?.data?.containers as string[];
    expect(stopped.sort()).toEqual([`${deployment.id}-convex`, `${deployment.id}-crawler-blue`, `${deployment.id}-platform-blue`, `${deployment.id}-rag-blue`].sort());

    const after = await allContent();
    for (const d of DATABASES) expect(after.dbs[d], d).toEqual(before.dbs[d]);
    for (const v of VOLUMES) expect(after.vols[v], v).toEqual(before.vols[v]);

    // The writers run again and the site answers through the proxy.
    for (const name of stopped) expect((await engine.getContainer(name).inspect()).State.Health?.Status, name).toBe('healthy');
    // fetch() cannot set Host (it sent 127.0.0.1, which no site of the proxy matches: an empty 200).
    const site = await httpGet(`http://127.0.0.1:${proxyPort}/`, { host: 'localhost' }).catch(() => null);
    console.log(`[restore] the site answers ${site?.status ?? 'nothing'} through the proxy after the restore: ${site?.body.trim() ?? ''}`);
    const audit = await auditEvents(app.baseURL, app.cookie, 'operations.restore');
    expect(audit.some((e) => e.outcome === 'success' && e.target === started.json.id)).toBe(true);
  }, 400_000);
});
