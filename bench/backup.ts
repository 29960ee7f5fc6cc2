// bench/backup: a backup of about 1 GB through the console, against restic driven directly on the
// same dumps, on the real test bed (the db image with Tale's init scripts, Debian's restic). In one
// run it prints: the console's full backup time and restic's own on the same data (the ratio), a
// second backup after 1% of the rows changed (time and bytes added: restic's deduplication), the
// restore time, and the console's resident memory before and at most during each operation (the
// console streams a dump from pg_dump into restic; it never holds a database in memory). Last line:
// one JSON summary. The console is the built app (`npm run build` first).
//   npx tsx bench/backup.ts     [BENCH_BACKUP_MB=1024]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BackupListDto } from '../lib/dto/backups';
import { pollUntil } from '../e2e/fixtures/poll';
import { docker as dockerCli, runCommand } from '../e2e/fixtures/run-command';
import { GOOD_VERSION } from '../e2e/fixtures/versions';
import { rssMiB, startConsole, type RunningConsole } from '../e2e/support/console';
import { publishProxyOnLoopback } from '../e2e/support/loopback-proxy';
import { followToEnd } from '../e2e/support/sse-client';
import { runBenchOnTestBed } from './support/test-bed-run';

const MB = Number(process.env.BENCH_BACKUP_MB ?? 1024);
/** 1 KB rows: 32 distinct MD5s each, so neither restic's chunking nor a compressor finds repeats. */
const ROWS = MB * 1024;
const DATABASES = ['tale', 'tale_knowledge', 'tale_platform'] as const;

const say = (s: string) => process.stdout.write(`${s}\n`);
const mb = (bytes: number) => Number((bytes / 1e6).toFixed(1));

/** Runs `fn` while sampling the console's resident memory every 100 ms. */
async function withMemory<T>(app: RunningConsole, fn: () => Promise<T>): Promise<{ result: T; ms: number; rssBeforeMiB: number; rssPeakMiB: number }> {
  const rssBeforeMiB = rssMiB(app.pid);
  let rssPeakMiB = rssBeforeMiB;
  const sampler = setInterval(() => (rssPeakMiB = Math.max(rssPeakMiB, rssMiB(app.pid))), 100);
  const t0 = Date.now();
  try {
    const result = await fn();
    return { result, ms: Date.now() - t0, rssBeforeMiB: Math.round(rssBeforeMiB), rssPeakMiB: Math.round(rssPeakMiB) };
  } finally {
    clearInterval(sampler);
  }
}

/** `docker exec <db> pg_dump` piped into `restic backup --stdin`, as an operator would run it by hand: two processes, no shell. */
function directDump(db: string, database: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const dump = spawn('docker', ['exec', db, 'pg_dump', '--create', '-U', 'tale', database], { stdio: ['ignore', 'pipe', 'inherit'] });
    const store = spawn('restic', ['backup', '--quiet', '--stdin', `--stdin-filename=${database}.sql`], { env, stdio: ['pipe', 'ignore', 'inherit'] });
    dump.stdout.pipe(store.stdin);
    let left = 2;
    const done = (what: string) => (code: number | null) => {
      if (code !== 0) reject(new Error(`${what} exited ${code}`));
      else if (--left === 0) resolve();
    };
    dump.on('exit', done('pg_dump'));
    store.on('exit', done('restic backup'));
  });
}

runBenchOnTestBed({ prefix: 'bench-bk', versions: [GOOD_VERSION], extraEnv: { HEALTH_CHECK_TIMEOUT: '150', DRAIN_TIMEOUT: '5' } }, async ({ deployment, defer }) => {
  await publishProxyOnLoopback(deployment.dir);
  const app = await startConsole({ deployDir: deployment.dir });
  defer(() => app.stop());
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bk-'));
  defer(() => fs.rmSync(scratch, { recursive: true, force: true }));

  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${app.baseURL}${url}`, {
      method,
      headers: { Cookie: app.cookie, ...(body === undefined ? {} : { Origin: app.baseURL, 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const operation = async (method: string, url: string, body: unknown) => {
    const started = await api(method, url, body);
    const { end } = await followToEnd(`${app.baseURL}/api/operations/${String(started.id)}/events`, { cookie: app.cookie, timeoutMs: 3_600_000, context: () => app.output().slice(-3000) });
    if (end.status !== 'succeeded') throw new Error(`${url} ended ${end.status}: ${JSON.stringify(end.error)}`);
  };
  const db = `${deployment.id}-db`;
  const psql = (database: string, sql: string) => dockerCli(['exec', db, 'psql', '--no-psqlrc', '-v', 'ON_ERROR_STOP=1', '-U', 'tale', '-d', database, '-At', '-c', sql]);

  await operation('POST', '/api/v1/deployments', { version: GOOD_VERSION });
  await pollUntil(() => dockerCli(['exec', db, 'test', '-f', '/tmp/.db_ready']).then(() => true, () => false), Boolean, 120_000, 500);
  const t0 = Date.now();
  await psql('tale_platform', `CREATE TABLE public.bulk (id int PRIMARY KEY, payload text);
    INSERT INTO public.bulk SELECT g, string_agg(md5(g::text || ':' || k::text), '') FROM generate_series(1, ${ROWS}) g, generate_series(1, 32) k GROUP BY g ORDER BY g;`);
  const dbBytes = Number((await psql('tale_platform', "SELECT pg_database_size('tale_platform')")).stdout.trim());
  say(`data: ${ROWS} rows of 1 KB in tale_platform.public.bulk, database ${mb(dbBytes)} MB, generated in ${Date.now() - t0} ms`);
  // One dump to /dev/null first, so neither side below pays for a cold page cache.
  await new Promise<void>((resolve, reject) =>
    spawn('docker', ['exec', db, 'pg_dump', '-U', 'tale', 'tale_platform'], { stdio: ['ignore', 'ignore', 'inherit'] }).on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`pg_dump ${c}`)))),
  );

  // Restic on its own: the same databases, dumped and stored the way the console does it.
  const directRepo = path.join(scratch, 'direct-repo');
  fs.writeFileSync(path.join(scratch, 'password'), 'bench-password', { mode: 0o600 });
  // Like the console's adapter: restic's environment holds the repository and the password file, nothing else.
  const env = { PATH: process.env.PATH, HOME: scratch, RESTIC_REPOSITORY: directRepo, RESTIC_PASSWORD_FILE: path.join(scratch, 'password'), RESTIC_CACHE_DIR: path.join(scratch, 'cache') } as unknown as NodeJS.ProcessEnv;
  await runCommand('restic', ['init', '--quiet'], { env });
  const d0 = Date.now();
  for (const database of DATABASES) await directDump(db, database, env);
  const directMs = Date.now() - d0;
  say(`restic directly: ${DATABASES.length} databases dumped and stored in ${directMs} ms`);

  const list = async () => (await api('GET', '/api/v1/backups')) as unknown as BackupListDto;
  const full = await withMemory(app, () => operation('POST', '/api/v1/backups', {}));
  const first = (await list()).backups[0]!;
  const ratio = Number((full.ms / directMs).toFixed(2));
  say(`console full backup: ${full.ms} ms (${mb(first.bytes)} MB streamed, ${mb(first.dataAdded)} MB added; databases, 4 volumes, project files) · ratio to restic directly ${ratio} · RSS ${full.rssBeforeMiB} → at most ${full.rssPeakMiB} MiB`);

  // The newest 1% of the rows rewritten, as a site's recent data is: pg_dump writes rows in their
  // physical order (the insert above is ORDER BY id: without it the hash aggregate scattered the
  // newest ids over every page, and a first run saw 93% of the dump added again), so the changes
  // land in the dump's last chunks and the rest deduplicates.
  await psql('tale_platform', `UPDATE public.bulk SET payload = md5(payload) || substr(payload, 33) WHERE id > ${ROWS - Math.floor(ROWS / 100)}`);
  const incremental = await withMemory(app, () => operation('POST', '/api/v1/backups', {}));
  const second = (await list()).backups.find((b) => b.id !== first.id)!;
  say(`console second backup (the newest 1% of rows changed): ${incremental.ms} ms, ${mb(second.bytes)} MB streamed, ${mb(second.dataAdded)} MB added · RSS at most ${incremental.rssPeakMiB} MiB`);

  const restore = await withMemory(app, () => operation('POST', '/api/v1/restores', { snapshot: second.id, projectId: deployment.id }));
  const restoredRows = Number((await psql('tale_platform', 'SELECT count(*) FROM public.bulk')).stdout.trim());
  if (restoredRows !== ROWS) throw new Error(`restored ${restoredRows} rows, expected ${ROWS}`);
  say(`console restore: ${restore.ms} ms (writers stopped, databases and volumes replaced, health gate) · RSS at most ${restore.rssPeakMiB} MiB`);

  return {
    bench: 'backup',
    dataMB: MB,
    databaseMB: mb(dbBytes),
    streamedMB: mb(first.bytes),
    direct: { ms: directMs },
    full: { ms: full.ms, ratioToDirect: ratio, addedMB: mb(first.dataAdded), rssBeforeMiB: full.rssBeforeMiB, rssPeakMiB: full.rssPeakMiB },
    incremental: { ms: incremental.ms, changedRows: Math.floor(ROWS / 100), addedMB: mb(second.dataAdded), rssPeakMiB: incremental.rssPeakMiB },
    restore: { ms: restore.ms, rssPeakMiB: restore.rssPeakMiB },
  };
});
