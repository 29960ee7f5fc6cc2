// What the health watcher costs (issue #19): the console's CPU and memory with the watcher on
// against off, for two of a stack's containers under steady log output and health changes, and
// the database it keeps: rows written per day at the 10 s sampling rate, and the size of a full
// 30 days (every tier at its bound) built in a scratch database from the migration's own tables.
//
//   npm run build && npx tsx bench/watch.ts
//   BENCH_SECONDS=120 BENCH_CONTAINERS=6 npx tsx bench/watch.ts
//
// Goal: under 2 % of one core, under 50 MB for 30 days. Prints figures; the last line is JSON.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createDeployment } from '../e2e/fixtures/deployment';
import { ensureFixtureImages } from '../e2e/fixtures/fixture-images';
import { consoleDb, rssMiB, startConsole } from '../e2e/support/console';
import { projectRoot } from '../e2e/support/paths';
import { makeHealthy, makeUnhealthy, startWatchedStandIns } from '../e2e/support/watched-stand-ins';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 180);
/** Containers of the stack the 30-day figure is for (Tale runs six). */
const CONTAINERS = Number(process.env.BENCH_CONTAINERS ?? 6);
const LOG_RATE = process.env.BENCH_LOG_RATE ?? '50';
const say = (s: string) => process.stderr.write(`${s}\n`);

const TICKS = 100; // USER_HZ on Linux
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS; // utime, stime
}

/** Runs a console for SECONDS (after a warm-up) while the platform stand-in flips health every 20 s; its CPU share and memory. */
async function measure(deployDir: string, platform: string, watch: 'on' | 'off') {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `tc-bench-watch-${watch}-`));
  const app = await startConsole({ deployDir, dataDir, env: { HEALTH_WATCH: watch } });
  try {
    await new Promise((r) => setTimeout(r, 15_000)); // past start-up and the first samples
    const rows0 = countRows(app.dataDir);
    const cpu0 = cpuSeconds(app.pid);
    const t0 = Date.now();
    const rss: number[] = [];
    let sick = false;
    while (Date.now() - t0 < SECONDS * 1000) {
      await new Promise((r) => setTimeout(r, 20_000 - ((Date.now() - t0) % 20_000)));
      sick = !sick;
      await (sick ? makeUnhealthy(platform) : makeHealthy(platform));
      rss.push(rssMiB(app.pid));
    }
    const wall = (Date.now() - t0) / 1000;
    const cpuPercent = ((cpuSeconds(app.pid) - cpu0) / wall) * 100;
    const rows1 = countRows(app.dataDir);
    if (sick) await makeHealthy(platform);
    return { cpuPercent, rssMiB: Math.max(...rss), wall, samples: rows1.samples - rows0.samples, incidents: rows1.incidents - rows0.incidents };
  } finally {
    await app.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function countRows(dataDir: string) {
  const db = consoleDb({ dataDir });
  try {
    const n = (t: string) => (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    return { samples: n('health_samples'), incidents: n('health_incidents') };
  } finally {
    db.close();
  }
}

/**
 * The database after 30 days of CONTAINERS containers: each tier at its bound (raw 10 s for 24 h,
 * 1 min for the next 6 days, 10 min for the 23 after; server/watch/downsample.ts) and `incidentsPerDay`
 * incidents a day, in a scratch database built from the migration. Answers the file's bytes and
 * the bytes of the first day's raw rows (the growth per day before downsampling bounds it).
 */
function thirtyDays(incidentsPerDay: number): { bytes: number; firstDayBytes: number; rows: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-bench-watch-db-'));
  const file = path.join(dir, 'health.db');
  const db = new Database(file);
  try {
    const sql = fs.readFileSync(path.join(projectRoot, 'server/db/migrations/0007_health-history.sql'), 'utf8');
    for (const statement of sql.split('--> statement-breakpoint')) db.exec(statement);
    const insert = db.prepare('INSERT INTO health_samples (at, resolution, container, service, color, cpu_percent, memory_bytes, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const now = Date.UTC(2026, 0, 31);
    const day = 86_400_000;
    const tiers = [
      { resolution: 10, from: now - day, to: now },
      { resolution: 60, from: now - 7 * day, to: now - day },
      { resolution: 600, from: now - 30 * day, to: now - 7 * day },
    ];
    let rows = 0;
    const size = () => fs.statSync(file).size;
    let firstDayBytes = 0;
    for (const tier of tiers) {
      const before = size();
      db.transaction(() => {
        for (let at = tier.from; at < tier.to; at += tier.resolution * 1000) {
          for (let c = 0; c < CONTAINERS; c++) {
            insert.run(at, tier.resolution, `tale-1a2b3c-service${c}-blue`, `service${c}`, 'blue', Math.random() * 50, Math.floor(2e8 + Math.random() * 1e8), tier.resolution / 10);
            rows++;
          }
        }
      })();
      db.pragma('wal_checkpoint(TRUNCATE)');
      if (tier.resolution === 10) firstDayBytes = size() - before;
    }
    const incident = db.prepare("INSERT INTO health_incidents (at, kind, container, service, color, state, exit_code, reconciled) VALUES (?, 'die', 'tale-1a2b3c-platform-blue', 'platform', 'blue', 'down', 137, 0)");
    db.transaction(() => {
      for (let i = 0; i < incidentsPerDay * 30; i++) incident.run(now - Math.floor(Math.random() * 30 * day));
    })();
    db.exec('VACUUM');
    return { bytes: size(), firstDayBytes, rows };
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  await ensureFixtureImages(say);
  const deployment = await createDeployment({ prefix: 'hw-bench' });
  try {
    const names = await startWatchedStandIns(deployment, deployment.dir, { STANDIN_LOG_RATE: LOG_RATE });
    say(`watch bench: ${SECONDS} s per run, 2 stand-ins logging ${LOG_RATE} lines/s each, platform flips health every 20 s`);
    const off = await measure(deployment.dir, names.platform, 'off');
    say(`  watcher off: console CPU ${off.cpuPercent.toFixed(2)} % of one core, RSS ${off.rssMiB.toFixed(0)} MiB`);
    const on = await measure(deployment.dir, names.platform, 'on');
    say(`  watcher on:  console CPU ${on.cpuPercent.toFixed(2)} % of one core, RSS ${on.rssMiB.toFixed(0)} MiB; wrote ${on.samples} samples, ${on.incidents} incidents`);
    const perDay = (n: number) => Math.round((n / on.wall) * 86_400);
    const incidentsPerDay = Math.max(perDay(on.incidents), 100);
    const db = thirtyDays(incidentsPerDay);
    const mb = (b: number) => b / 1e6;
    say(`  samples per day for 2 containers: ${perDay(on.samples)} (10 s each); the first day's raw rows for ${CONTAINERS} containers take ${mb(db.firstDayBytes).toFixed(1)} MB`);
    say(`  30 days of ${CONTAINERS} containers (tiers at their bounds, ${incidentsPerDay} incidents a day): ${db.rows} sample rows, ${mb(db.bytes).toFixed(1)} MB`);
    const summary = {
      bench: 'watch',
      seconds: SECONDS,
      cpuPercentOff: Number(off.cpuPercent.toFixed(3)),
      cpuPercentOn: Number(on.cpuPercent.toFixed(3)),
      watcherCpuPercent: Number((on.cpuPercent - off.cpuPercent).toFixed(3)),
      rssMiBOff: Math.round(off.rssMiB),
      rssMiBOn: Math.round(on.rssMiB),
      samplesPerDayMeasured: perDay(on.samples),
      incidentsPerDayMeasured: perDay(on.incidents),
      firstDayMB: Number(mb(db.firstDayBytes).toFixed(2)),
      thirtyDaysMB: Number(mb(db.bytes).toFixed(2)),
      containers: CONTAINERS,
      goal: { watcherCpuPercent: 2, thirtyDaysMB: 50 },
    };
    await deployment.dispose();
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } catch (err) {
    await deployment.dispose().catch(() => {});
    throw err;
  }
}

main().catch((e: unknown) => {
  say(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
