// Restore drills, the schedule and retention on the real test bed, through the console's HTTP API
// (docs/backups.md#restore-drill): a drill of a good backup passes, in a throwaway PostgreSQL of
// the stack's db image on an internal network that is gone afterwards; a backup whose database dump
// was truncated on purpose fails its drill naming the table; a schedule set a minute ahead fires a
// backup of kind `scheduled` as the system, drills it, and retention then leaves whole backups.
//
// The truncated backup is made with restic itself, the way a damaged dump would look: the good
// backup's tale_platform dump cut to 60 % of its bytes is stored as a new snapshot, and a new
// manifest (a new backup id) that points at it instead of the original part.
import { randomUUID } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupListDto, BackupScheduleDto, DrillListDto } from '@/lib/dto/backups';
import type { OperationDto } from '@/lib/dto/operations';
import { pollUntil } from '../fixtures/poll';
import { startBackupTestBed, type BackupTestBed } from '../support/backup-test-bed';
import { startConsole } from '../support/console';

const engine = new Docker({ socketPath: '/var/run/docker.sock' });
const DRILL_LABEL = 'io.tale.console.role=restore-drill';
const BULK_ROWS = 20_000;

let bed: BackupTestBed;

const drillContainers = async () => engine.listContainers({ all: true, filters: JSON.stringify({ label: [DRILL_LABEL] }) });
const drillNetworks = async () => engine.listNetworks({ filters: JSON.stringify({ label: [DRILL_LABEL] }) });

/** Watches Docker while an operation runs: what the drill created, seen from outside. */
function watchSandbox() {
  const seen = { containers: new Set<string>(), networks: new Map<string, { internal: boolean }>(), ports: 0 };
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      for (const c of await drillContainers().catch(() => [])) {
        seen.containers.add(c.Names[0] ?? c.Id);
        seen.ports += c.Ports.filter((p) => p.PublicPort).length;
      }
      for (const n of await drillNetworks().catch(() => [])) seen.networks.set(n.Name, { internal: Boolean(n.Internal) });
      await new Promise((r) => setTimeout(r, 300));
    }
  })();
  return {
    seen,
    done: async () => {
      stop = true;
      await loop;
    },
  };
}

async function runDrill(snapshot: string) {
  const t0 = Date.now();
  const started = await bed.api('POST', '/api/v1/backups/drills', { snapshot });
  expect(started.status, JSON.stringify(started.json)).toBe(202);
  const watch = watchSandbox();
  const followed = await bed.follow(String(started.json.id)).finally(() => watch.done());
  return { ...followed, seen: watch.seen, ms: Date.now() - t0 };
}

beforeAll(async () => {
  bed = await startBackupTestBed('dr');
  await bed.psql('tale', 'CREATE TABLE public.dr_rows (id int PRIMARY KEY, body text); INSERT INTO public.dr_rows SELECT g, md5(g::text) FROM generate_series(1, 500) g;');
  await bed.psql('tale_knowledge', "CREATE TABLE private_knowledge.chunks (id serial PRIMARY KEY, content text, embedding vector(3)); INSERT INTO private_knowledge.chunks (content, embedding) SELECT 'chunk ' || g, ARRAY[g, g * 0.5, -g]::vector FROM generate_series(1, 200) g;");
  await bed.psql('tale_platform', `CREATE TABLE public.bulk (id int PRIMARY KEY, payload text); INSERT INTO public.bulk SELECT g, repeat(md5(g::text), 32) FROM generate_series(1, ${BULK_ROWS}) g;
    CREATE TABLE public.zz_after_bulk (id int PRIMARY KEY); INSERT INTO public.zz_after_bulk SELECT generate_series(1, 50);`);
}, 600_000);

afterAll(async () => {
  await bed?.dispose();
}, 180_000);

describe('restore drills, schedule and retention', () => {
  let good: string;

  it('passes a drill on a good backup, in a throwaway PostgreSQL on an internal network that is gone afterwards', async () => {
    const backup = await bed.api('POST', '/api/v1/backups', {});
    expect(backup.status, JSON.stringify(backup.json)).toBe(202);
    expect((await bed.follow(String(backup.json.id))).end.status).toBe('succeeded');
    good = ((await bed.api('GET', '/api/v1/backups')).json as unknown as BackupListDto).backups[0]!.id;

    const { end, events, seen, ms } = await runDrill(good);
    expect(end.status, JSON.stringify(end.error)).toBe('succeeded');
    console.log(`[drill] good backup: ${ms} ms from the request to the end (throwaway server started, 3 databases replayed, ${String(end.result?.tables)} tables counted)`);
    expect(end.result).toMatchObject({ passed: true, backup: good, databases: 3 });
    expect(Number(end.result?.tables)).toBeGreaterThanOrEqual(3);
    expect(events.filter((e) => e.step === 'drill' && e.status === 'succeeded').map((e) => e.data?.item)).toEqual(
      expect.arrayContaining(['sandbox', 'databases/tale.sql', 'databases/tale_knowledge.sql', 'databases/tale_platform.sql', 'removed']),
    );
    // It existed while the drill ran (seen from outside), alone on an internal network, nothing published…
    expect(seen.containers.size).toBe(1);
    expect([...seen.networks.values()]).toEqual([{ internal: true }]);
    expect(seen.ports).toBe(0);
    // …and neither container nor network is left.
    expect(await drillContainers()).toEqual([]);
    expect(await drillNetworks()).toEqual([]);

    const list = (await bed.api('GET', '/api/v1/backups')).json as unknown as BackupListDto;
    expect(list.backups[0]!.drill).toMatchObject({ status: 'passed', snapshot: good, actor: 'admin@example.com' });
    const drills = (await bed.api('GET', '/api/v1/backups/drills')).json as unknown as DrillListDto;
    expect(drills.health.lastProvenAt).toBe(list.backups[0]!.startedAt);
    expect(drills.health.failedDrill).toBeNull();
  }, 400_000);

  it('fails the drill of a backup whose dump was truncated, naming the table, and leaves nothing behind', async () => {
    const manifest = JSON.parse(await bed.restic(['dump', good, '/manifest.json'])) as { backupId: string; projectId: string; databases: { name: string; snapshotId: string; bytes: number }[] };
    const part = manifest.databases.find((d) => d.name === 'tale_platform')!;
    const dump = Buffer.from(await bed.restic(['dump', part.snapshotId, '/databases/tale_platform.sql']), 'utf8');
    const cut = dump.subarray(0, Math.floor(dump.length * 0.6));
    const backupId = randomUUID();
    const tagsOf = (extra: string[] = []) => [`--tag=tale-project:${manifest.projectId}`, `--tag=tale-backup:${backupId}`, ...extra];
    const storedPart = await bed.restic(['backup', '--json', '--stdin', '--stdin-filename=databases/tale_platform.sql', ...tagsOf()], cut);
    const truncatedId = /"snapshot_id":"([0-9a-f]+)"/.exec(storedPart)![1]!;
    const forged = { ...manifest, backupId, databases: manifest.databases.map((d) => (d.name === 'tale_platform' ? { ...d, snapshotId: truncatedId, bytes: cut.length } : d)) };
    const storedManifest = await bed.restic(['backup', '--json', '--stdin', '--stdin-filename=manifest.json', ...tagsOf(['--tag=tale-manifest'])], Buffer.from(JSON.stringify(forged)));
    const truncated = /"snapshot_id":"([0-9a-f]+)"/.exec(storedManifest)![1]!;
    console.log(`[drill] tale_platform dump cut from ${dump.length} to ${cut.length} bytes`);

    const { end, events, seen, ms } = await runDrill(truncated);
    console.log(`[drill] truncated backup: ${ms} ms, ${end.status}: ${end.error?.message}`);
    expect(end.status).toBe('failed');
    expect(end.error?.code).toBe('DRILL_ROWS_DIFFER');
    // The cut falls inside public.bulk's data (most of the dump's bytes), so it comes back short or
    // empty, and the table whose data comes after it is empty (pg_dump writes every CREATE TABLE
    // first); the databases that were not cut pass.
    expect(end.error?.message).toMatch(new RegExp(`tale_platform\\.public\\.bulk \\(${BULK_ROWS} rows in the backup, \\d+ restored\\)`));
    expect(end.error?.message).toContain('tale_platform.public.zz_after_bulk (50 rows in the backup, 0 restored)');
    expect(end.error?.message).not.toContain('dr_rows');
    const failedItem = events.find((e) => e.step === 'drill' && e.status === 'failed');
    expect(failedItem?.data?.item).toBe('databases/tale_platform.sql');
    expect(seen.containers.size).toBe(1);
    expect(await drillContainers()).toEqual([]);
    expect(await drillNetworks()).toEqual([]);

    const list = (await bed.api('GET', '/api/v1/backups')).json as unknown as BackupListDto;
    // restic answers a new snapshot's short id; the list names backups by the full one.
    expect(list.backups.find((b) => b.id.startsWith(truncated))?.drill).toMatchObject({ status: 'failed', error: { code: 'DRILL_ROWS_DIFFER' } });
    expect(list.backups.find((b) => b.id === good)?.drill?.status).toBe('passed');
    const health = ((await bed.api('GET', '/api/v1/backups/drills')).json as unknown as DrillListDto).health;
    expect(health.failedDrill?.error?.message).toContain('tale_platform.public.bulk');
  }, 400_000);

  it('fires a scheduled backup as the system, drills it, and retention keeps whole backups only', async () => {
    // The next whole minute at least 20 s away, as "daily at HH:MM UTC".
    const at = new Date(Math.ceil((Date.now() + 20_000) / 60_000) * 60_000);
    const hhmm = at.toISOString().slice(11, 16);
    const put = await bed.api('PUT', '/api/v1/backups/schedule', { enabled: true, mode: 'daily', at: hhmm, everyHours: 24, keep: { daily: 1, weekly: 0, monthly: 0 } });
    expect(put.status, JSON.stringify(put.json)).toBe(200);
    expect((put.json as unknown as BackupScheduleDto).nextRunAt).toBe(at.toISOString());

    const ops = async () => ((await bed.api('GET', '/api/v1/operations')).json.operations as OperationDto[]) ?? [];
    const scheduled = await pollUntil(async () => (await ops()).find((o) => o.kind === 'backup' && o.params.kind === 'scheduled'), Boolean, 180_000, 2000);
    console.log(`[schedule] due ${at.toISOString()}, started ${scheduled!.createdAt}`);
    expect(Date.parse(scheduled!.createdAt)).toBeGreaterThanOrEqual(at.getTime());
    expect(scheduled!.actor).toBeNull();
    expect((await bed.follow(scheduled!.id)).end.status).toBe('succeeded');

    const retention = await pollUntil(async () => (await ops()).find((o) => o.kind === 'retention' && o.status !== 'running'), Boolean, 300_000, 2000);
    expect(retention!.status, JSON.stringify(retention!.error)).toBe('succeeded');
    const drill = (await ops()).find((o) => o.kind === 'drill' && o.params.scheduled === true);
    expect(drill?.status).toBe('succeeded');
    expect(Date.parse(drill!.createdAt)).toBeLessThan(Date.parse(retention!.createdAt));

    // keep daily 1: only the scheduled backup (today's newest) stays, and every snapshot left in the
    // repository belongs to it: the manual, the truncated one, all of their parts, are gone.
    const list = (await bed.api('GET', '/api/v1/backups')).json as unknown as BackupListDto;
    expect(list.backups.map((b) => b.kind)).toEqual(['scheduled']);
    const kept = list.backups[0]!;
    expect(kept.drill?.status).toBe('passed');
    const snapshots = JSON.parse(await bed.restic(['snapshots', '--json'])) as { tags: string[] }[];
    expect(snapshots.length).toBe(kept.databases.length + kept.volumes.length + 2);
    for (const s of snapshots) expect(s.tags).toContain(`tale-backup:${kept.backupId}`);
    expect(retention!.result).toMatchObject({ kept: [kept.backupId] });
    expect((retention!.result?.forgotten as string[]).length).toBe(2);

    // Back off, so nothing fires while the test bed is taken down.
    expect((await bed.api('PUT', '/api/v1/backups/schedule', { ...(put.json as unknown as BackupScheduleDto).schedule, enabled: false })).status).toBe(200);
    const check = await bed.api('POST', '/api/v1/backups/checks', {});
    expect(check.status).toBe(202);
    expect((await bed.follow(String(check.json.id))).end.status).toBe('succeeded');
  }, 600_000);

  it('removes what a drill of a killed console left (its labelled container and network) at the next start', async () => {
    // What a console killed mid-drill leaves, made by hand with the drill's labels.
    const name = `tale-drill-${randomUUID().slice(0, 12).replace(/-/g, '')}`;
    const labels = { 'io.tale.console.managed': 'true', 'io.tale.console.role': 'restore-drill', project: bed.deployment.id };
    await engine.createNetwork({ Name: name, Internal: true, Labels: labels });
    const image = (await engine.getContainer(`${bed.deployment.id}-db`).inspect()).Config.Image;
    await engine.createContainer({ name, Image: image, Labels: labels, HostConfig: { NetworkMode: name } });
    expect((await drillContainers()).map((c) => c.Names[0])).toEqual([`/${name}`]);

    const second = await startConsole({ deployDir: bed.deployment.dir });
    try {
      await pollUntil(async () => (await drillContainers()).length + (await drillNetworks()).length, (n) => n === 0, 60_000, 500);
      expect(second.output()).toContain(`Removed what an interrupted restore drill left: ${name}, ${name}.`);
    } finally {
      await second.stop();
    }
  }, 300_000);
});
