// Backup faults of issue #17 that need a real console and a real target, on one test bed and one
// console (restarted once): the console killed with SIGKILL during a backup (the next start marks
// it interrupted, releases restic's stale lock, forgets the parts it stored, the site keeps
// serving and the next backup succeeds), an S3 target whose disk fills up mid-backup (s3rver on a
// small tmpfs, answering 507 XMinioStorageFull as MinIO does), and an S3 repository damaged on purpose (the integrity checks say so in words).
// The local-directory variants of the last two are in backup-targets.integration.test.ts.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupListDto } from '@/lib/dto/backups';
import type { OperationDto } from '@/lib/dto/operations';
import { startS3Server, type S3Server } from '../fixtures/backup-targets';
import { httpGet } from '../fixtures/http-get';
import { pollUntil } from '../fixtures/poll';
import { runCommand } from '../fixtures/run-command';
import { startBackupTestBed, type BackupTestBed } from '../support/backup-test-bed';
import { restartConsole } from '../support/console';
import { actionId, actionResult, callAction } from '../support/server-actions';
import { followOperation, followToEnd } from '../support/sse-client';

/** About 1 KB of md5 text each (incompressible enough): a dump that takes restic seconds, so a kill lands mid-backup. */
const BULK_ROWS = 40_000;

let bed: BackupTestBed;
let s3: S3Server | null = null;
let mount: string | null = null;
/** The console that answers now: the test bed's until it is killed, then its successor. */
let live: { baseURL: string; cookie: string; output: () => string };
let restarted: { stop(): Promise<void> } | null = null;

async function api(method: string, url: string, body?: unknown) {
  const res = await fetch(`${live.baseURL}${url}`, {
    method,
    headers: { Cookie: live.cookie, ...(body === undefined ? {} : { Origin: live.baseURL, 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}
const follow = (id: string, timeoutMs = 280_000) => followToEnd(`${live.baseURL}/api/operations/${id}/events`, { cookie: live.cookie, timeoutMs, context: () => live.output().slice(-3000) });
const listed = async () => ((await api('GET', '/api/v1/backups')).json as unknown as BackupListDto).backups;
const action = async <T>(name: string, input: unknown) => actionResult<T>(await callAction(live.baseURL, actionId(`app/(console)/backups/target-actions.ts#${name}`), ['local', input], live.cookie));
/** The site through Tale's proxy, as its users reach it. */
const site = () => httpGet(`http://127.0.0.1:${bed.proxyPort}/`, { host: 'localhost', timeoutMs: 10_000 });

/** A backup started now; refused while the start-up reconcile still runs, so asked again until it starts. */
async function startBackup(): Promise<string> {
  const started = await pollUntil(() => api('POST', '/api/v1/backups', {}), (r) => r.status === 202, 120_000, 1_000);
  return String(started.json.id);
}

/** Every process below `pid` (the server's restic and docker children), from /proc. */
function descendants(pid: number): Array<{ pid: number; comm: string }> {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: Array<{ pid: number; comm: string }> = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push({ pid: c, comm: fs.readFileSync(`/proc/${c}/comm`, 'utf8').trim() });
      walk(c);
    }
  };
  walk(pid);
  return out;
}

beforeAll(async () => {
  bed = await startBackupTestBed('bf');
  live = bed.app;
  await bed.psql('tale_platform', `CREATE TABLE public.bf_bulk (id int PRIMARY KEY, payload text);
    INSERT INTO public.bf_bulk SELECT g, (SELECT string_agg(md5(g::text || ':' || i::text), '') FROM generate_series(1, 32) i) FROM generate_series(1, ${BULK_ROWS}) g;`);
}, 900_000);

afterAll(async () => {
  await restarted?.stop();
  await s3?.dispose();
  if (mount) await runCommand('umount', [mount]).catch(() => undefined);
  await bed?.dispose();
}, 180_000);

describe('backup faults', () => {
  it('a console killed with SIGKILL mid-backup: marked interrupted, lock released, parts forgotten, site serving, next backup succeeds', async () => {
    const id = await startBackup();
    // Killed once restic has taken a megabyte of the big dump, as `docker kill` kills the
    // console's container: the server and every process it runs (restic, docker exec) at once.
    const seen = await followOperation(`${live.baseURL}/api/operations/${id}/events`, {
      cookie: live.cookie,
      timeoutMs: 240_000,
      until: (e) => e.status === 'progress' && e.data?.item === 'databases/tale_platform.sql' && Number(e.data.bytes) > 1_000_000,
    });
    expect(seen.end).toBeUndefined();
    const victims = [{ pid: bed.app.pid, comm: 'server' }, ...descendants(bed.app.pid)];
    for (const v of victims) process.kill(v.pid, 'SIGKILL');
    expect(victims.map((v) => v.comm)).toContain('restic');
    await pollUntil(async () => !fs.existsSync(`/proc/${bed.app.pid}`) || fs.readFileSync(`/proc/${bed.app.pid}/stat`, 'utf8').includes(') Z '), Boolean, 30_000, 50);
    const backupId = seen.events.map((e) => e.data?.backupId).find((b): b is string => typeof b === 'string')!;
    expect(backupId).toEqual(expect.any(String));
    const progress = seen.events.filter((e) => e.status === 'progress').at(-1)!.data!;
    console.log(`[sigkill] killed ${victims.map((v) => v.comm).join(', ')} while ${progress.item} was at ${progress.bytes} bytes`);

    // What the kill left: restic's lock, and the parts stored before it (no manifest).
    const locks = async () => (await bed.restic(['list', 'locks', '--no-lock'])).split('\n').filter(Boolean);
    const parts = async () => JSON.parse(await bed.restic(['snapshots', '--json', '--no-lock', `--tag=tale-backup:${backupId}`])) as Array<{ tags: string[] }>;
    expect(await locks()).toHaveLength(1);
    const left = await parts();
    console.log(`[sigkill] left in the repository: 1 lock, ${left.length} part snapshot(s) of the cut-off backup`);
    expect(left.every((p) => !p.tags.includes('tale-manifest'))).toBe(true);
    // The live site never depended on the backup.
    expect((await site()).body).toMatch(/^tale-platform version=/);

    const second = await restartConsole(bed.app.dataDir, bed.deployment.dir);
    restarted = second;
    live = second;
    const op = ((await api('GET', '/api/v1/operations')).json as unknown as { operations: OperationDto[] }).operations.find((o) => o.id === id)!;
    expect(op.status).toBe('interrupted');
    expect(op.error).toMatchObject({ code: 'BACKUP_INTERRUPTED', message: expect.stringContaining('not listed') });
    // The start-up releases the stale lock and forgets the parts, in the background.
    await pollUntil(async () => (await locks()).length === 0 && (await parts()).length === 0, Boolean, 60_000, 1_000).catch(() => {
      throw new Error(`the start-up did not release the repository: ${second.output().slice(-2000)}`);
    });
    expect(await listed()).toEqual([]);
    expect((await site()).body).toMatch(/^tale-platform version=/);

    const t0 = Date.now();
    const next = await follow(await startBackup());
    expect(next.end.status, JSON.stringify(next.end.error)).toBe('succeeded');
    console.log(`[sigkill] the next backup took ${Date.now() - t0} ms (reconcile wait included)`);
    const after = await listed();
    expect(after).toHaveLength(1);
    expect(after[0]!.backupId).not.toBe(backupId);
  }, 900_000);

  it('an S3 target whose disk fills up mid-backup: the backup fails and is not listed; with room again the next one succeeds and checks clean', async () => {
    mount = fs.mkdtempSync(path.join(bed.scratch, 's3-tmpfs-'));
    // 4 MB hold the repository's skeleton, not the ~40 MB dump.
    await runCommand('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'bf-s3-tmpfs', mount]);
    // answerFull: a full disk is answered at once (507 XMinioStorageFull, as MinIO does); plain
    // s3rver dies of ENOSPC instead, which restic retried for ~6 minutes before it gave up.
    s3 = await startS3Server('bf-backups', { dataDir: path.join(mount, 'data'), answerFull: true });
    const prefix = `bf/${randomBytes(4).toString('hex')}`;
    const saved = await action('saveTargetAction', { type: 's3', endpoint: s3.endpoint, bucket: s3.bucket, prefix, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, caCertificate: s3.caCertificate });
    expect(saved, JSON.stringify(saved)).toMatchObject({ ok: true });
    expect(await action('testTargetAction', {})).toMatchObject({ ok: true, data: { status: 'connected', created: true } });

    const t0 = Date.now();
    const full = await follow(await startBackup(), 840_000);
    const ms = Date.now() - t0;
    console.log(`[s3-full] the backup failed after ${ms} ms: ${full.end.error?.code}: ${full.end.error?.message}; s3rver ${s3.running() ? 'still runs' : 'exited'}`);
    expect(full.end.status).toBe('failed');
    expect(full.end.error?.code).toBe('BACKUP_TARGET_FULL');
    expect(full.end.error?.message).toMatch(/full/);
    expect(s3.running()).toBe(true);

    // Room again: the same repository takes the next backup, lists only it, and checks clean.
    await runCommand('mount', ['-o', 'remount,size=512m', mount]);
    await s3.restart();
    expect(await listed()).toEqual([]);
    const again = await follow(await startBackup());
    expect(again.end.status, JSON.stringify(again.end.error)).toBe('succeeded');
    expect(await listed()).toHaveLength(1);
    const check = await api('POST', '/api/v1/backups/checks', {});
    expect(check.status, JSON.stringify(check.json)).toBe(202);
    expect((await follow(String(check.json.id))).end.status).toBe('succeeded');
    expect(await action('checkRepositoryAction', { readData: true })).toMatchObject({ ok: true });
  }, 1_200_000);

  it('an S3 repository damaged on purpose: the checks say so in words', async () => {
    const repoDir = path.join(s3!.directory, s3!.bucket);
    const packs = (await runCommand('find', [repoDir, '-path', '*/data/*', '-name', '*._S3rver_object'])).stdout.split('\n').filter(Boolean);
    const largest = packs.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0]!;
    const packId = path.basename(largest).replace('._S3rver_object', '');
    // Flipped bytes in the middle of the largest pack: only reading the data back finds them.
    const fd = fs.openSync(largest, 'r+');
    const at = Math.floor(fs.statSync(largest).size / 2);
    const buf = Buffer.alloc(16);
    fs.readSync(fd, buf, 0, 16, at);
    for (let i = 0; i < 16; i++) buf[i] = buf[i]! ^ 0xff;
    fs.writeSync(fd, buf, 0, 16, at);
    fs.closeSync(fd);
    const flipped = await action<never>('checkRepositoryAction', { readData: true });
    console.log(`[s3-corrupt] read-data check: ${JSON.stringify(flipped)}`);
    expect(flipped).toMatchObject({ ok: false, code: 'BACKUP_REPOSITORY_CORRUPT' });
    expect((flipped as { message: string }).message).toContain(packId.slice(0, 8));

    // The pack deleted outright: the repository-check operation (structure only) finds it too.
    for (const f of fs.readdirSync(path.dirname(largest)).filter((f) => f.startsWith(packId))) fs.rmSync(path.join(path.dirname(largest), f));
    const check = await api('POST', '/api/v1/backups/checks', {});
    expect(check.status).toBe(202);
    const end = (await follow(String(check.json.id))).end;
    console.log(`[s3-corrupt] repository-check: ${end.error?.code}: ${end.error?.message}`);
    expect(end.status).toBe('failed');
    expect(end.error).toMatchObject({ code: 'REPOSITORY_CHECK_FAILED', message: expect.stringContaining('damaged') });
    expect(end.error?.message).toContain(packId.slice(0, 8));
  }, 600_000);
});
