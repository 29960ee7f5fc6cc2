// The whole restore (issue #17) on the real test bed, through the console's HTTP API: the safety
// backup of the current state first (kind pre-restore, listed, linked from the timeline; a failing
// one stops the restore before anything changes), the backup's recorded release deployed by digest
// when the live one differs, what users see through Tale's proxy while it runs (measured by a
// request loop and printed), the project files as a separate diff-shown choice, and a console
// killed with SIGKILL mid-restore: the next start marks it interrupted with the state it left,
// and a second restore finishes it.
import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupListDto } from '@/lib/dto/backups';
import type { OperationDto, OperationEventDto } from '@/lib/dto/operations';
import type { Deployment } from '../fixtures/deployment';
import { httpGet } from '../fixtures/http-get';
import { pollUntil } from '../fixtures/poll';
import { GOOD_VERSION, NEXT_VERSION } from '../fixtures/versions';
import { auditEvents } from '../support/audit';
import { startBackupTestBed, type BackupTestBed } from '../support/backup-test-bed';
import { restartConsole, TEST_ADMIN, type RunningConsole } from '../support/console';
import { followOperation, followToEnd } from '../support/sse-client';

const engine = new Docker({ socketPath: '/var/run/docker.sock' });
/** About 1 KB each: a dump big enough that a kill lands while the restore still runs. */
const BULK_ROWS = 20_000;
const KNOWN_ROWS = 500;

let bed: BackupTestBed;
let deployment: Deployment;
let app: RunningConsole;
let proxyPort: number;
let backupSnapshot: string;
let backupRelease: { version: string; digests: Record<string, string> };
let projectFilesSnapshot: string;
const api = (method: string, url: string, body?: unknown) => bed.api(method, url, body);
const psql = (database: string, sql: string) => bed.psql(database, sql);
const rowCount = async (table: string) => Number(await psql('tale_platform', `SELECT count(*) FROM ${table}`));

/** What one answer through the proxy was: the app, the maintenance page, or anything else. */
type Seen = 'app' | 'maintenance' | string;

/**
 * Requests through Tale's proxy, one after another, until stopped: each answer classified by its
 * status and body, and consecutive equal answers merged into runs (what a user sees, in order).
 */
function requestLoop(port: number) {
  const runs: Array<{ seen: Seen; count: number; firstAt: number; lastAt: number; slowestMs: number }> = [];
  let stopped = false;
  const classify = async (): Promise<Seen> => {
    try {
      const res = await site(port);
      if (res.status === 200 && /^tale-platform version=\S+/.test(res.body)) return 'app';
      if (res.headers['x-tale-maintenance'] === '1' && res.body.includes('Tale is being updated')) return 'maintenance';
      return `HTTP ${res.status} ${JSON.stringify(res.body.slice(0, 60))}`;
    } catch (err) {
      return `no answer: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    }
  };
  const done = (async () => {
    while (!stopped) {
      const sent = Date.now();
      const seen = await classify();
      const now = Date.now();
      const last = runs.at(-1);
      if (last?.seen === seen) {
        last.count += 1;
        last.lastAt = now;
        last.slowestMs = Math.max(last.slowestMs, now - sent);
      } else runs.push({ seen, count: 1, firstAt: sent, lastAt: now, slowestMs: now - sent });
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await done;
      return runs;
    },
  };
}

function printRuns(label: string, runs: Awaited<ReturnType<ReturnType<typeof requestLoop>['stop']>>) {
  const totals = new Map<string, { count: number; ms: number }>();
  for (const r of runs) {
    const t = totals.get(r.seen) ?? { count: 0, ms: 0 };
    totals.set(r.seen, { count: t.count + r.count, ms: t.ms + (r.lastAt - r.firstAt) });
  }
  console.log(`[${label}] what users saw, in order: ${runs.map((r) => `${r.seen} ×${r.count} (${((r.lastAt - r.firstAt) / 1000).toFixed(1)} s, slowest answer ${(r.slowestMs / 1000).toFixed(1)} s)`).join(' → ')}`);
  console.log(`[${label}] totals: ${[...totals].map(([seen, t]) => `${seen}: ${t.count} answers over ${(t.ms / 1000).toFixed(1)} s`).join('; ')}`);
}

/** One request to the site through Tale's proxy, as a user of the deployment's HOST makes it (fetch cannot set Host). */
const site = (port: number) => httpGet(`http://127.0.0.1:${port}/`, { host: 'localhost', timeoutMs: 10_000 });

const operationsOf = async (c: { baseURL: string; cookie: string }) =>
  ((await (await fetch(`${c.baseURL}/api/v1/operations`, { headers: { Cookie: c.cookie } })).json()) as { operations: OperationDto[] }).operations;

beforeAll(async () => {
  bed = await startBackupTestBed('rs', [GOOD_VERSION, NEXT_VERSION]);
  ({ deployment, app, proxyPort } = bed);
  await psql('tale_platform', `CREATE TABLE public.rs_rows (id int PRIMARY KEY, body text);
    INSERT INTO public.rs_rows SELECT g, 'row ' || g FROM generate_series(1, ${KNOWN_ROWS}) g;
    CREATE TABLE public.rs_bulk (id int PRIMARY KEY, payload text);
    INSERT INTO public.rs_bulk SELECT g, repeat(md5(g::text), 32) FROM generate_series(1, ${BULK_ROWS}) g;`);
  const started = await api('POST', '/api/v1/backups', {});
  expect(started.status, JSON.stringify(started.json)).toBe(202);
  expect((await bed.follow(String(started.json.id))).end.status).toBe('succeeded');
  const list = (await api('GET', '/api/v1/backups')).json as unknown as BackupListDto;
  backupSnapshot = list.backups[0]!.id;
  backupRelease = list.backups[0]!.release!;
  projectFilesSnapshot = list.backups[0]!.projectFiles.snapshotId;
  expect(backupRelease.version).toBe(GOOD_VERSION);
}, 900_000);

let restarted: { stop(): Promise<void> } | null = null;
afterAll(async () => {
  await restarted?.stop();
  await bed?.dispose();
}, 180_000);

describe('the whole restore', () => {
  it('takes a safety backup first, restores the data, deploys the backup’s release by digest, and users see the app or the maintenance page', async () => {
    // The live release moves on to NEXT_VERSION after the backup (its own gate skipped: tested elsewhere).
    const upgrade = await api('POST', '/api/v1/deployments', { version: NEXT_VERSION, skipBackup: { reason: 'the gate has its own test' } });
    expect(upgrade.status, JSON.stringify(upgrade.json)).toBe(202);
    expect((await bed.follow(String(upgrade.json.id))).end.status).toBe('succeeded');
    await psql('tale_platform', "DELETE FROM public.rs_rows WHERE id > 100; INSERT INTO public.rs_rows VALUES (9999, 'after the backup')");
    const before = (await api('GET', '/api/v1/backups')).json as unknown as BackupListDto;

    const loop = requestLoop(proxyPort);
    const t0 = Date.now();
    const started = await api('POST', '/api/v1/restores', { snapshot: backupSnapshot, projectId: deployment.id });
    expect(started.status, JSON.stringify(started.json)).toBe(202);
    const { events, end } = await bed.follow(String(started.json.id));
    const runs = await loop.stop();
    console.log(`[restore] ${Date.now() - t0} ms from the request to the end (safety backup, data, release ${NEXT_VERSION} → ${GOOD_VERSION} by digest)`);
    printRuns('restore', runs);
    expect(end.status, JSON.stringify(end.error)).toBe('succeeded');

    // The safety backup came first, before any writer stopped, and is listed as pre-restore.
    const at = (pred: (e: OperationEventDto) => boolean) => events.findIndex(pred);
    const safety = events.find((e) => e.step === 'pre-restore-backup' && e.status === 'succeeded');
    expect(safety?.data?.backupId).toEqual(expect.any(String));
    expect(at((e) => e.step === 'pre-restore-backup' && e.status === 'succeeded')).toBeLessThan(at((e) => e.data?.item === 'stop-writers'));
    const after = (await api('GET', '/api/v1/backups')).json as unknown as BackupListDto;
    expect(after.backups.length).toBe(before.backups.length + 1);
    const listed = after.backups.find((b) => b.backupId === safety!.data!.backupId);
    expect(listed).toMatchObject({ kind: 'pre-restore', startedBy: TEST_ADMIN.email, release: { version: NEXT_VERSION } });
    expect(end.result).toMatchObject({ safetyBackupId: safety!.data!.backupId, release: GOOD_VERSION });

    // The backup's release runs again, by its recorded digests, and the data is the backup's.
    expect(events.find((e) => e.step === 'restore' && e.data?.item === 'release' && e.status === 'succeeded')?.data).toMatchObject({ version: GOOD_VERSION, from: NEXT_VERSION });
    const live = (await site(proxyPort)).body;
    expect(live).toContain(`version=${GOOD_VERSION}`);
    const colours = await Promise.all(['blue', 'green'].map((c) => engine.getContainer(`${deployment.id}-platform-${c}`).inspect().catch(() => null)));
    const running = colours.filter((c) => c?.State.Running);
    expect(running).toHaveLength(1);
    expect(running[0]!.Config.Image).toContain(backupRelease.digests.platform);
    expect(await rowCount('public.rs_rows')).toBe(KNOWN_ROWS);
    expect((await psql('tale_platform', 'SELECT count(*) FROM public.rs_rows WHERE id = 9999')).trim()).toBe('0');

    // Every answer was the app or the maintenance page: no refused connection, no empty 502.
    expect(runs.map((r) => r.seen).filter((s) => s !== 'app' && s !== 'maintenance')).toEqual([]);
    expect(runs.some((r) => r.seen === 'maintenance')).toBe(true);
  }, 900_000);

  it('a safety backup that fails stops the restore before anything changes; skipping it needs a reason', async () => {
    // A database whose name the backup refuses to dump: the safety backup fails, the restore does not start.
    await psql('postgres', 'CREATE DATABASE "Not-Dumpable"');
    await psql('tale_platform', "INSERT INTO public.rs_rows VALUES (8888, 'still here')");
    try {
      const started = await api('POST', '/api/v1/restores', { snapshot: backupSnapshot, projectId: deployment.id });
      expect(started.status).toBe(202);
      const { events, end } = await bed.follow(String(started.json.id));
      expect(end.status).toBe('failed');
      expect(end.error).toMatchObject({ code: 'PRE_RESTORE_BACKUP_FAILED', message: expect.stringContaining('nothing was changed') });
      expect(events.some((e) => e.step === 'restore')).toBe(false);
      expect((await psql('tale_platform', 'SELECT count(*) FROM public.rs_rows WHERE id = 8888')).trim()).toBe('1');
    } finally {
      await psql('postgres', 'DROP DATABASE "Not-Dumpable"');
    }
    const short = await api('POST', '/api/v1/restores', { snapshot: backupSnapshot, projectId: deployment.id, skipBackup: { reason: 'no' } });
    expect(short.status).toBe(400);
    expect(short.json.code).toBe('INVALID_INPUT');
  }, 300_000);

  it('shows the project files as a diff with secrets masked, and restores them only on their own, typed-confirmed', async () => {
    const envFile = path.join(deployment.dir, '.env');
    const original = fs.readFileSync(envFile);
    const oldSecret = deployment.env.DB_PASSWORD!;
    const newSecret = 'rs-rotated-secret-after-the-backup';
    // The .env may be written by the deploys since; the backup's bytes are what a restore writes back.
    const backupEnv = Buffer.from((JSON.parse(await bed.restic(['dump', projectFilesSnapshot, '/project/files.json'])) as { files: Record<string, string> }).files['.env']!, 'base64');
    fs.writeFileSync(envFile, `${original.toString('utf8').replace(`DB_PASSWORD=${oldSecret}`, `DB_PASSWORD=${newSecret}`)}RS_MARKER=after-the-backup\n`);

    const diff = await api('GET', `/api/v1/backups/${backupSnapshot}/project-files`);
    expect(diff.status, JSON.stringify(diff.json)).toBe(200);
    const files = diff.json.files as Array<{ path: string; status: string; env?: Array<{ key: string; kind: string; before: string | null; after: string | null; secret: boolean }> }>;
    const env = files.find((f) => f.path === '.env')!;
    expect(env.status).toBe('changed');
    expect(env.env).toEqual(expect.arrayContaining([
      expect.objectContaining({ key: 'DB_PASSWORD', kind: 'changed', secret: true }),
      { key: 'RS_MARKER', kind: 'removed', before: 'after-the-backup', after: null, secret: false },
    ]));
    expect(files.find((f) => f.path === 'tale.json')?.status).toBe('same');
    const shown = JSON.stringify(diff.json);
    expect(shown).not.toContain(newSecret);
    expect(shown).not.toContain(oldSecret);

    // A data restore never touched them, and a wrong confirmation writes nothing.
    const wrong = await api('POST', `/api/v1/backups/${backupSnapshot}/project-files`, { projectId: 'not-this-one' });
    expect(wrong.json.code).toBe('CONFIRMATION_MISMATCH');
    expect(fs.readFileSync(envFile, 'utf8')).toContain('RS_MARKER=after-the-backup');
    const restored = await api('POST', `/api/v1/backups/${backupSnapshot}/project-files`, { projectId: deployment.id });
    expect(restored.status, JSON.stringify(restored.json)).toBe(200);
    expect(restored.json.restored).toContain('.env');
    expect(fs.readFileSync(envFile).equals(backupEnv)).toBe(true);
    const audit = await auditEvents(app.baseURL, app.cookie, 'backups.project_files_restore');
    expect(audit.filter((e) => e.outcome === 'success')).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(newSecret);
  }, 120_000);

  it('a console killed mid-restore marks it interrupted with the state it left, and a second restore finishes it', async () => {
    await psql('tale_platform', 'DELETE FROM public.rs_rows; DELETE FROM public.rs_bulk WHERE id > 10');
    const started = await api('POST', '/api/v1/restores', { snapshot: backupSnapshot, projectId: deployment.id, skipBackup: { reason: 'the safety backup has its own test above' } });
    expect(started.status, JSON.stringify(started.json)).toBe(202);
    const id = String(started.json.id);
    // Killed while the databases are being replaced: the writers are stopped, the data half-restored.
    const seen = await followOperation(`${app.baseURL}/api/operations/${id}/events`, {
      cookie: app.cookie,
      timeoutMs: 240_000,
      until: (e) => e.step === 'restore' && e.status === 'started' && e.data?.item === 'databases/tale_platform.sql',
    });
    expect(seen.end).toBeUndefined();
    process.kill(app.pid, 'SIGKILL');
    await pollUntil(async () => !fs.existsSync(`/proc/${app.pid}`) || fs.readFileSync(`/proc/${app.pid}/stat`, 'utf8').includes(') Z '), Boolean, 30_000, 50);
    const stoppedWriters = seen.events.find((e) => e.data?.item === 'stop-writers' && e.status === 'succeeded')?.data?.containers as string[];
    expect(stoppedWriters.length).toBeGreaterThan(0);

    const second = await restartConsole(app.dataDir, deployment.dir);
    restarted = second;
    const op = (await operationsOf(second)).find((o) => o.id === id)!;
    expect(op.status).toBe('interrupted');
    expect(op.error?.code).toBe('RESTORE_INTERRUPTED');
    expect(op.error?.message).toContain('half-restored');
    expect(op.error?.message).toContain('Run the restore again');
    for (const name of stoppedWriters) expect(op.error?.message).toContain(name);
    console.log(`[sigkill] the interrupted restore says: ${op.error?.message}`);
    // What users see meanwhile: the writers stay stopped, the proxy answers with its maintenance page.
    const meanwhile = await site(proxyPort);
    console.log(`[sigkill] the site answers HTTP ${meanwhile.status} (maintenance header ${meanwhile.headers['x-tale-maintenance']}) until the restore is run again`);
    expect(meanwhile.headers['x-tale-maintenance']).toBe('1');

    // The start-up reconcile runs first; then the restore again, which starts the stopped writers.
    const again = await pollUntil(
      async () => {
        const res = await fetch(`${second.baseURL}/api/v1/restores`, {
          method: 'POST',
          headers: { Cookie: second.cookie, Origin: second.baseURL, 'Content-Type': 'application/json' },
          body: JSON.stringify({ snapshot: backupSnapshot, projectId: deployment.id, skipBackup: { reason: 'finishing the interrupted restore' } }),
        });
        return res.status === 202 ? ((await res.json()) as OperationDto) : null;
      },
      (o) => o !== null,
      120_000,
      1_000,
    );
    const finished = await followToEnd(`${second.baseURL}/api/operations/${again!.id}/events`, { cookie: second.cookie, timeoutMs: 280_000, context: second.output });
    expect(finished.end.status, JSON.stringify(finished.end.error)).toBe('succeeded');
    expect((finished.end.result?.restarted as string[]).sort()).toEqual([...stoppedWriters].sort());
    expect(await rowCount('public.rs_rows')).toBe(KNOWN_ROWS);
    expect(await rowCount('public.rs_bulk')).toBe(BULK_ROWS);
    for (const name of stoppedWriters) expect((await engine.getContainer(name).inspect()).State.Running, name).toBe(true);
    expect((await site(proxyPort)).body).toContain(`version=${GOOD_VERSION}`);
  }, 900_000);
});
