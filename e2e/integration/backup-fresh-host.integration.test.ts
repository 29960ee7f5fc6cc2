// A restore into a fresh host (docs/backups.md#restore-into-a-new-host), on the real test bed and
// through the console's HTTP API: project A deployed at 1.0.0 with known rows and files, backed up
// into a local restic repository; then the old host is gone (its console, containers, volumes and
// networks removed) and a second console, whose deployment directory is empty (its initialise
// screen), is pointed at a copy of that repository with its password. It refuses a wrong password,
// an empty repository, an unreadable manifest, a directory that is not empty and a wrong typed
// project id, writing nothing; then it restores: the project files are byte-identical, every row
// and file is back, and the stack is healthy on the backup's release, by digest.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupListDto } from '@/lib/dto/backups';
import type { FreshHostBackupsDto } from '@/lib/dto/fresh-restore';
import type { Deployment } from '../fixtures/deployment';
import { listProjectResources, removeProjectResources } from '../fixtures/deployment';
import { docker as dockerCli, runCommand } from '../fixtures/run-command';
import { GOOD_VERSION, localImage } from '../fixtures/versions';
import { auditEvents } from '../support/audit';
import { startBackupTestBed, type BackupTestBed } from '../support/backup-test-bed';
import { startConsole, type RunningConsole } from '../support/console';
import { followToEnd } from '../support/sse-client';

const engine = new Docker({ socketPath: '/var/run/docker.sock' });
const DATABASES = ['tale', 'tale_knowledge', 'tale_platform'] as const;
const VOLUMES = ['convex-data', 'rag-data', 'crawler-data', 'caddy-data'] as const;
const HELPER_IMAGE = localImage('db', GOOD_VERSION);
/** The project files no deploy rewrites: byte-identical after the restore. */
const STABLE_FILES = ['tale.json', '.env', 'compose.override.yml', '.tale/migrations.json'];

let bed: BackupTestBed;
let deployment: Deployment;
let fresh: RunningConsole | undefined;
let freshDir: string;
let repoCopy: string;

const psql = async (database: string, sql: string) =>
  (await dockerCli(['exec', `${deployment.id}-db`, 'psql', '--no-psqlrc', '-v', 'ON_ERROR_STOP=1', '-U', 'tale', '-d', database, '-At', '-c', sql])).stdout;

/** Every user table of a database with its exact content, in key order. */
async function databaseContent(database: string): Promise<Record<string, string>> {
  const tables = (await psql(database, "SELECT schemaname || '.' || tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")).split('\n').filter(Boolean);
  const out: Record<string, string> = {};
  for (const t of tables) out[t] = (await dockerCli(['exec', `${deployment.id}-db`, 'psql', '--no-psqlrc', '-U', 'tale', '-d', database, '-c', `COPY (SELECT * FROM ${t} ORDER BY 1) TO STDOUT`])).stdout;
  return out;
}

/** Every entry of a volume (path, type, mode, owner, size) and the SHA-256 of each file. */
async function volumeContent(volume: string): Promise<string[]> {
  const run = (entrypoint: string, args: string[]) =>
    dockerCli(['run', '--rm', '--network', 'none', '--user', '0:0', '--entrypoint', entrypoint, '-v', `${deployment.id}_${volume}:/v:ro`, HELPER_IMAGE, ...args]);
  const entries = (await run('find', ['/v', '-mindepth', '1', '-printf', '%P %y %m %U:%G %s\n'])).stdout.split('\n').filter(Boolean);
  const sums = (await run('find', ['/v', '-type', 'f', '-exec', 'sha256sum', '{}', '+'])).stdout.split('\n').filter(Boolean);
  return [...entries, ...sums].sort();
}

/** Only the known data: a fresh deploy's own first boot may add rows of its own elsewhere, which the restore replaces. */
async function knownContent() {
  const dbs: Record<string, string> = {};
  for (const d of DATABASES) dbs[d] = (await databaseContent(d))['public.fh_rows'] ?? '(missing)';
  dbs['tale_knowledge:chunks'] = (await databaseContent('tale_knowledge'))['private_knowledge.chunks'] ?? '(missing)';
  const vols: Record<string, string[]> = {};
  for (const v of VOLUMES) vols[v] = await volumeContent(v);
  return { dbs, vols };
}

async function freshApi(method: string, url: string, body?: unknown) {
  const app = fresh!;
  const res = await fetch(`${app.baseURL}${url}`, {
    method,
    headers: { Cookie: app.cookie, ...(body === undefined ? {} : { Origin: app.baseURL, 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

const restic = (repository: string, passwordFile: string, args: string[], input?: Buffer) =>
  runCommand('/usr/bin/restic', args, {
    env: { RESTIC_REPOSITORY: repository, RESTIC_PASSWORD_FILE: passwordFile, RESTIC_CACHE_DIR: path.join(bed.scratch, 'cache'), HOME: bed.scratch } as unknown as NodeJS.ProcessEnv,
    ...(input ? { input } : {}),
  });

beforeAll(async () => {
  bed = await startBackupTestBed('fh');
  deployment = bed.deployment;
  for (const d of DATABASES) {
    await psql(d, `CREATE TABLE public.fh_rows (id int PRIMARY KEY, body text, blob bytea);
      INSERT INTO public.fh_rows SELECT g, 'row ' || g || E' in ${d};\\tnext', decode(md5(g::text || '${d}'), 'hex') FROM generate_series(1, 500) g;`);
  }
  await psql('tale_knowledge', `CREATE TABLE private_knowledge.chunks (id serial PRIMARY KEY, content text, embedding vector(3));
    INSERT INTO private_knowledge.chunks (content, embedding) SELECT 'chunk ' || g, ARRAY[g, g * 0.5, -g]::vector FROM generate_series(1, 200) g;`);
  const seed = path.join(bed.scratch, 'seed');
  fs.mkdirSync(path.join(seed, 'nested'), { recursive: true });
  fs.writeFileSync(path.join(seed, 'known.bin'), randomBytes(200_000));
  fs.writeFileSync(path.join(seed, 'nested', 'note.txt'), 'a note\n');
  for (const v of VOLUMES) {
    await dockerCli(['run', '--rm', '--network', 'none', '--user', '0:0', '--entrypoint', 'cp', '-v', `${seed}:/seed:ro`, '-v', `${deployment.id}_${v}:/v`, HELPER_IMAGE, '-a', '/seed/.', `/v/${v}-files`]);
  }
}, 600_000);

afterAll(async () => {
  await fresh?.stop();
  // The restored stack carries project A's id: the bed's dispose removes it with A's directory.
  await bed?.dispose();
}, 180_000);

describe('restore into a fresh host', () => {
  let before: Awaited<ReturnType<typeof knownContent>>;
  let originalFiles: Record<string, Buffer>;
  let backupId: string;
  let password: string;
  let recordedDigests: Record<string, string>;
  let target: { type: 'local'; path: string };

  it('backs project A up, then the old host is gone', async () => {
    before = await knownContent();
    originalFiles = Object.fromEntries(STABLE_FILES.filter((f) => fs.existsSync(path.join(deployment.dir, f))).map((f) => [f, fs.readFileSync(path.join(deployment.dir, f))]));
    expect(Object.keys(originalFiles)).toEqual(expect.arrayContaining(['tale.json', '.env', 'compose.override.yml']));
    const started = await bed.api('POST', '/api/v1/backups', {});
    expect(started.status, JSON.stringify(started.json)).toBe(202);
    password = String(started.json.repositoryPassword);
    expect((await bed.follow(String(started.json.id))).end.status).toBe('succeeded');
    const list = (await bed.api('GET', '/api/v1/backups')).json as unknown as BackupListDto;
    backupId = list.backups[0]!.id;
    recordedDigests = list.backups[0]!.release!.digests;

    // The repository travels to the new host (a copy: the old console's data directory goes).
    repoCopy = path.join(bed.scratch, 'repository');
    fs.cpSync(path.join(bed.app.dataDir, 'backups'), repoCopy, { recursive: true });
    target = { type: 'local', path: repoCopy };
    await bed.app.stop();
    const removed = await removeProjectResources(deployment.id);
    expect(removed.volumes.length).toBeGreaterThan(0);

    freshDir = path.join(bed.scratch, 'new-host', 'tale');
    fs.mkdirSync(freshDir, { recursive: true });
    fresh = await startConsole({ deployDir: freshDir });
    // The new console shows its initialise screen: no project in the directory.
    const settings = await fetch(`${fresh.baseURL}/settings`, { headers: { Cookie: fresh.cookie } });
    expect(await settings.text()).toContain('Restore from a backup');
  }, 300_000);

  it('refuses a wrong password, an empty repository, an unreadable manifest, a used directory and a wrong project id, writing nothing', async () => {
    const wrong = await freshApi('POST', '/api/v1/restores/fresh-host/backups', { target, password: 'not-the-password' });
    expect(wrong.json.code, JSON.stringify(wrong.json)).toBe('BACKUP_WRONG_PASSWORD');

    const emptyRepo = path.join(bed.scratch, 'empty-repository');
    const emptyPassword = path.join(bed.scratch, 'empty-password');
    fs.writeFileSync(emptyPassword, 'empty-repository-password', { mode: 0o600 });
    await restic(emptyRepo, emptyPassword, ['init']);
    const empty = await freshApi('POST', '/api/v1/restores/fresh-host/backups', { target: { type: 'local', path: emptyRepo }, password: 'empty-repository-password' });
    expect(empty.json.code, JSON.stringify(empty.json)).toBe('FRESH_RESTORE_EMPTY');

    // A manifest that is not one the console wrote, stored with restic itself.
    const passwordFile = path.join(bed.scratch, 'password');
    fs.writeFileSync(passwordFile, password, { mode: 0o600 });
    const stored = await restic(repoCopy, passwordFile, ['backup', '--json', '--stdin', '--stdin-filename=manifest.json', '--tag=tale-project:broken-123456', '--tag=tale-manifest'], Buffer.from('{"format": 1, "truncated'));
    const broken = /"snapshot_id":"([0-9a-f]+)"/.exec(stored.stdout)![1]!;

    const listed = await freshApi('POST', '/api/v1/restores/fresh-host/backups', { target, password });
    expect(listed.status, JSON.stringify(listed.json)).toBe(200);
    const data = listed.json as unknown as Extract<FreshHostBackupsDto, { status: 'listed' }>;
    expect(data.status).toBe('listed');
    const good = data.backups.find((b) => b.id === backupId);
    expect(good).toMatchObject({ readable: true, backup: { projectId: deployment.id, kind: 'manual', release: { version: GOOD_VERSION } } });
    expect(data.backups.find((b) => b.id.startsWith(broken))).toMatchObject({ readable: false, code: 'BACKUP_MANIFEST_INVALID' });
    expect(JSON.stringify(data)).not.toContain(password);

    const unreadable = await freshApi('POST', '/api/v1/restores/fresh-host', { target, password, snapshot: broken, projectId: 'broken-123456' });
    expect(unreadable.json.code).toBe('BACKUP_MANIFEST_INVALID');
    const mismatch = await freshApi('POST', '/api/v1/restores/fresh-host', { target, password, snapshot: backupId, projectId: 'not-the-project' });
    expect(mismatch.json.code).toBe('CONFIRMATION_MISMATCH');

    fs.writeFileSync(path.join(freshDir, 'notes.txt'), 'someone was here\n');
    const used = await freshApi('POST', '/api/v1/restores/fresh-host/backups', { target, password });
    expect(used.json.code).toBe('DEPLOY_DIR_NOT_FRESH');
    const usedStart = await freshApi('POST', '/api/v1/restores/fresh-host', { target, password, snapshot: backupId, projectId: deployment.id });
    expect(usedStart.json.code).toBe('DEPLOY_DIR_NOT_FRESH');
    fs.rmSync(path.join(freshDir, 'notes.txt'));

    // Nothing was written into the directory, and the console adopted no repository.
    expect(fs.readdirSync(freshDir)).toEqual([]);
    expect(fs.existsSync(path.join(fresh!.dataDir, 'backup-password'))).toBe(false);
    expect((await listProjectResources(deployment.id)).containers).toEqual([]);
  }, 120_000);

  it('restores the project files, the rows and the files, and runs the recorded release healthy', async () => {
    const t0 = Date.now();
    const started = await freshApi('POST', '/api/v1/restores/fresh-host', { target, password, snapshot: backupId, projectId: deployment.id });
    expect(started.status, JSON.stringify(started.json)).toBe(202);
    const { events, end } = await followToEnd(`${fresh!.baseURL}/api/operations/${String(started.json.id)}/events`, { cookie: fresh!.cookie, timeoutMs: 400_000, context: () => fresh!.output().slice(-3000) });
    expect(end.status, JSON.stringify(end.error)).toBe('succeeded');
    console.log(`[fresh-host] ${Date.now() - t0} ms from the request to the end of the operation (project files, release deployed by digest, ${DATABASES.length} databases and ${VOLUMES.length} volumes restored, health gate passed)`);
    const skipped = events.find((e) => e.step === 'pre-restore-backup');
    expect(skipped).toMatchObject({ status: 'skipped', data: { reason: expect.stringContaining('no current state to protect') } });

    // The project files, byte for byte.
    for (const [rel, bytes] of Object.entries(originalFiles)) expect(fs.readFileSync(path.join(freshDir, rel)).equals(bytes), rel).toBe(true);
    expect(fs.statSync(path.join(freshDir, '.env')).mode & 0o777).toBe(0o600);

    // The rows and the volume files.
    const after = await knownContent();
    expect(after.dbs).toEqual(before.dbs);
    for (const v of VOLUMES) expect(after.vols[v], v).toEqual(before.vols[v]);

    // The recorded release, by digest, and healthy.
    for (const service of ['platform', 'rag', 'crawler'] as const) {
      const info = await engine.getContainer(`${deployment.id}-${service}-blue`).inspect().catch(() => engine.getContainer(`${deployment.id}-${service}-green`).inspect());
      expect(info.State.Health?.Status, service).toBe('healthy');
      expect(info.Config.Image, service).toContain(recordedDigests[service]);
    }
    expect((await engine.getContainer(`${deployment.id}-convex`).inspect()).State.Health?.Status).toBe('healthy');

    // The repository is this console's backup target now, its password 0600, and it lists the backup.
    const passwordFile = path.join(fresh!.dataDir, 'backup-password');
    expect(fs.readFileSync(passwordFile, 'utf8')).toBe(password);
    expect(fs.statSync(passwordFile).mode & 0o777).toBe(0o600);
    const list = (await freshApi('GET', '/api/v1/backups')).json as unknown as BackupListDto;
    expect(list.backups.map((b) => b.id)).toContain(backupId);
    // The password is in no event, audit row or log line.
    const audit = await auditEvents(fresh!.baseURL, fresh!.cookie);
    for (const text of [JSON.stringify(events), JSON.stringify(audit), fresh!.output()]) expect(text.includes(password)).toBe(false);
    expect(audit.some((e) => e.action === 'operations.restore' && e.outcome === 'success' && e.target === started.json.id)).toBe(true);
  }, 500_000);
});
