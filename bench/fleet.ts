// What the fleet costs (issue #21): the console's memory and GET /api/v1/fleet's response time with
// 1 environment (local) and with 10 (nine SSH environments on the test bed's remote host, the
// second Docker Engine behind OpenSSH on loopback, each with its own deployment directory and
// project id, added through the API as an admin would: scan, confirm the fingerprint, save).
//
//   npm run build && npx tsx bench/fleet.ts
//   BENCH_REQUESTS=50 BENCH_EXTRA=9 BENCH_IDLE_SECONDS=60 npx tsx bench/fleet.ts
//   BENCH_REQUESTS=5 BENCH_EXTRA=2 BENCH_IDLE_SECONDS=5 npx tsx bench/fleet.ts    (small, for CI)
//
// A remote environment's state is read by its runtime in the background (every 10 s and on its
// watch's incidents, server/environments/status-snapshot.ts) and the fleet reads memory: the
// figures also give the oldest state a timed request showed and the console's CPU while idle
// (what the background reads cost). Goal (#21): under 20 MB more memory per environment and the
// fleet under 300 ms with 10. Measured 2026-12-04 (2 shared cores): 10 environments median 33 ms,
// p95 117 ms, cold 3.0 s; 1.9 MiB per environment (docs/environments.md#fleet). Prints figures;
// the last line is JSON. bench/fleet-breakdown.ts times the probe call by call.
import fs from 'node:fs';
import path from 'node:path';
import { startRemoteHost } from '../e2e/fixtures/remote-host';
import { rssMiB, startConsole, type RunningConsole } from '../e2e/support/console';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20);
/** Seconds the console is left alone with every environment kept, to measure what the background status reads cost. */
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 20);
const EXTRA = Number(process.env.BENCH_EXTRA ?? 9);
const say = (s: string) => process.stderr.write(`${s}\n`);

async function api(app: RunningConsole, method: string, url: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown>; ms: number }> {
  const t = performance.now();
  const res = await fetch(`${app.baseURL}${url}`, { method, headers: { Cookie: app.cookie, Origin: app.baseURL, ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : {}, ms: performance.now() - t };
}

const TICKS = 100; // USER_HZ on Linux
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS; // utime, stime
}

/** The console's CPU (% of one core) over IDLE_SECONDS without requests. */
async function idleCpu(app: RunningConsole): Promise<number> {
  const before = cpuSeconds(app.pid);
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
  return Math.round(((cpuSeconds(app.pid) - before) / IDLE_SECONDS) * 1000) / 10;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

const reachableAll = (json: Record<string, unknown>) => (json.environments as { probe: { reachable: boolean } }[] | undefined)?.every((e) => e.probe.reachable) ?? false;

/**
 * REQUESTS sequential GETs of the fleet once every environment answers; every one must be
 * reachable. The first request makes each environment's kept SSH connection (all at once): it is
 * reported apart as the cold start, and warm-ups repeat (up to 10) until all have answered.
 */
async function measure(app: RunningConsole, expected: number) {
  const cold = await api(app, 'GET', '/api/v1/fleet');
  let warmups = 1;
  for (let ok = reachableAll(cold.json); !ok && warmups < 10; warmups++) ok = reachableAll((await api(app, 'GET', '/api/v1/fleet')).json);
  await api(app, 'GET', '/api/v1/fleet');
  const times: number[] = [];
  let maxAge = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const r = await api(app, 'GET', '/api/v1/fleet');
    if (r.status !== 200) throw new Error(`fleet answered ${r.status}`);
    const envs = r.json.environments as { environment: { id: string }; probe: { reachable: boolean; message?: string }; ageMs: number }[];
    maxAge = Math.max(maxAge, ...envs.map((e) => e.ageMs));
    const down = envs.filter((e) => !e.probe.reachable);
    if (envs.length !== expected || down.length > 0) throw new Error(`expected ${expected} reachable environments, got ${envs.length}; unreachable: ${JSON.stringify(down)}`);
    times.push(r.ms);
  }
  return { coldMs: Math.round(cold.ms), warmups, medianMs: Math.round(pct(times, 50)), p95Ms: Math.round(pct(times, 95)), maxMs: Math.round(Math.max(...times)), maxAgeMs: maxAge, rssMiB: Math.round(rssMiB(app.pid)) };
}

async function main() {
  const host = await startRemoteHost({ id: 'evbench' });
  // HEALTH_WATCH=off leaves only the status reads in the idle figure (the watch's share is the difference).
  const app = await startConsole({ env: process.env.HEALTH_WATCH ? { HEALTH_WATCH: process.env.HEALTH_WATCH } : {} });
  try {
    const one = { ...(await measure(app, 1)), idleCpuPercent: await idleCpu(app) };
    say(`1 environment: fleet cold ${one.coldMs} ms, median ${one.medianMs} ms, p95 ${one.p95Ms} ms; console ${one.rssMiB} MiB, ${one.idleCpuPercent} % of a core idle`);
    const fingerprint = await host.hostKeyFingerprint();
    const owner = fs.statSync(host.deployDirRoot);
    for (let i = 1; i <= EXTRA; i++) {
      // One deployment directory and project id per environment, owned by the SSH user.
      const dir = path.join(host.deployDirRoot, `ev-bench-${i}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'tale.json'), JSON.stringify({ version: 1, cliVersion: 'bench', createdAt: new Date().toISOString(), id: `ev-bench-${i}` }));
      for (const p of [dir, path.join(dir, 'tale.json')]) fs.chownSync(p, owner.uid, owner.gid);
      const form = { name: `bench ${i}`, colour: 'violet', endpoint: `ssh://${host.ssh.user}@${host.ssh.host}:${host.ssh.port}`, deployDir: dir, privateKey: host.privateKey };
      const scan = await api(app, 'POST', '/api/v1/environments/scan', form);
      if (scan.status !== 200 || (scan.json.hostKey as { fingerprint: string }).fingerprint !== fingerprint) throw new Error(`scan: ${scan.status} ${JSON.stringify(scan.json)}`);
      const add = await api(app, 'POST', '/api/v1/environments', { ...form, hostKeyFingerprint: fingerprint });
      if (add.status !== 201) throw new Error(`add: ${add.status} ${JSON.stringify(add.json)}`);
    }
    const ten = { ...(await measure(app, 1 + EXTRA)), idleCpuPercent: await idleCpu(app) };
    const perEnvironmentMiB = Math.round(((ten.rssMiB - one.rssMiB) / EXTRA) * 10) / 10;
    say(`${1 + EXTRA} environments: fleet cold ${ten.coldMs} ms (${ten.warmups} request(s) until all answered), median ${ten.medianMs} ms, p95 ${ten.p95Ms} ms, oldest state shown ${ten.maxAgeMs} ms; console ${ten.rssMiB} MiB (${perEnvironmentMiB} MiB more per environment), ${ten.idleCpuPercent} % of a core idle (each remote runtime's watch and status reads)`);
    console.log(JSON.stringify({ bench: 'fleet', requests: REQUESTS, one, ten: { environments: 1 + EXTRA, ...ten }, perEnvironmentMiB, goal: { perEnvironmentMiB: 20, fleetMs: 300 } }));
  } finally {
    await app.stop();
    await host.dispose();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
