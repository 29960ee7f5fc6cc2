// Where a fleet probe's time goes (issue #21): the remote environments' probe (stackProbe over a
// kept SSH endpoint: tale.json and the colour files over SFTP, the stack's containers over kept
// `docker system dial-stdio` channels) timed call by call, with 1 environment and with N at once,
// all on the test bed's second Docker Engine behind OpenSSH on loopback (e2e/fixtures/remote-host.ts).
// No console process: the server modules run here, so the figures are the transport's and the
// probe's alone (the console's HTTP, session and database add to them).
//
//   NODE_OPTIONS=--conditions=react-server npx tsx bench/fleet-breakdown.ts
//   BENCH_ENVS=10 BENCH_ROUNDS=10 NODE_OPTIONS=--conditions=react-server npx tsx bench/fleet-breakdown.ts
//
// Prints figures; the last line is JSON.
import fs from 'node:fs';
import path from 'node:path';
import { startRemoteHost } from '../e2e/fixtures/remote-host';
import { createDockerPort } from '../server/docker/docker-adapter';
import type { DockerPort } from '../server/engine/ports';
import { stackProbe } from '../server/environments/remote-status';
import { createProjectPort } from '../server/project/project-port';
import type { FileOps } from '../server/project/file-ops';
import { openSshEndpoint, type RemoteEndpoint } from '../server/remote/ssh-endpoint';

const ENVS = Number(process.env.BENCH_ENVS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const say = (s: string) => process.stderr.write(`${s}\n`);
const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : 0);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;
const r = (x: number) => Math.round(x);

type Calls = Map<string, number[]>;
const timed = <A extends unknown[], T>(calls: Calls, name: string, fn: (...a: A) => Promise<T>) =>
  async (...a: A): Promise<T> => {
    const t = performance.now();
    try {
      return await fn(...a);
    } finally {
      const list = calls.get(name) ?? [];
      list.push(performance.now() - t);
      calls.set(name, list);
    }
  };

async function main() {
  const host = await startRemoteHost({ id: 'evbreak' });
  const owner = fs.statSync(host.deployDirRoot);
  const fingerprint = await host.hostKeyFingerprint();
  const envs: { endpoint: RemoteEndpoint; calls: Calls; docker: DockerPort; project: ReturnType<typeof createProjectPort> }[] = [];
  try {
    for (let i = 1; i <= ENVS; i++) {
      const dir = path.join(host.deployDirRoot, `ev-break-${i}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'tale.json'), JSON.stringify({ version: 1, cliVersion: 'bench', createdAt: new Date().toISOString(), id: `ev-break-${i}` }));
      for (const p of [dir, path.join(dir, 'tale.json')]) fs.chownSync(p, owner.uid, owner.gid);
      const endpoint = await openSshEndpoint(host.ssh, { privateKey: host.privateKey, hostKeyFingerprint: fingerprint, deployDir: dir, lazy: true });
      const calls: Calls = new Map();
      const base = createDockerPort(endpoint.docker.api);
      const docker: DockerPort = { ...base, inspectContainer: timed(calls, 'docker inspect', base.inspectContainer), listContainers: timed(calls, 'docker list', base.listContainers) };
      const f = endpoint.project.fs;
      const fsTimed: FileOps = { ...f, readFile: timed(calls, 'sftp readFile', f.readFile) };
      const project = createProjectPort({ dir: endpoint.project.dir, fs: fsTimed }, () => true);
      envs.push({ endpoint, calls, docker, project });
    }
    const probe = (e: (typeof envs)[number]) => stackProbe(e.docker, e.project);
    const summary = (calls: Calls) => Object.fromEntries([...calls].map(([k, v]) => [k, { n: v.length, medianMs: r(median(v)), sumMs: r(v.reduce((a, b) => a + b, 0)) }]));

    // Cold: the first probe of each environment at once makes its connection, SFTP session and first channels.
    let t = performance.now();
    await Promise.all(envs.map(probe));
    const coldMs = r(performance.now() - t);
    say(`cold: ${ENVS} probes at once (each its own new SSH connection): ${coldMs} ms`);

    // One environment alone, warm.
    const one = envs[0]!;
    one.calls.clear();
    const alone: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      t = performance.now();
      await probe(one);
      alone.push(performance.now() - t);
    }
    const aloneCalls = summary(one.calls);
    say(`1 environment, warm: probe median ${r(median(alone))} ms; per probe ${JSON.stringify(Object.fromEntries(Object.entries(aloneCalls).map(([k, v]) => [k, `${v.n / ROUNDS} calls, median ${v.medianMs} ms`])))}`);

    // All at once, warm.
    for (const e of envs) e.calls.clear();
    const together: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      t = performance.now();
      await Promise.all(envs.map(probe));
      together.push(performance.now() - t);
    }
    const all: Calls = new Map();
    for (const e of envs) for (const [k, v] of e.calls) all.set(k, [...(all.get(k) ?? []), ...v]);
    const togetherCalls = summary(all);
    say(`${ENVS} environments at once, warm: round median ${r(median(together))} ms, p95 ${r(pct(together, 95))} ms; per call ${JSON.stringify(Object.fromEntries(Object.entries(togetherCalls).map(([k, v]) => [k, `${v.n / ROUNDS / ENVS} per probe, median ${v.medianMs} ms`])))}`);

    // The raw transport: one SFTP read and one Docker call, alone and with every environment at once.
    const raw = async (n: number) => {
      const sftp: number[] = [];
      const api: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        await Promise.all(envs.slice(0, n).map(async (e) => {
          let s = performance.now();
          await e.endpoint.project.fs.readFile(path.posix.join(e.endpoint.project.dir, 'tale.json'));
          sftp.push(performance.now() - s);
          s = performance.now();
          await e.endpoint.docker.api.ping();
          api.push(performance.now() - s);
        }));
      }
      return { sftpReadMs: r(median(sftp)), dockerPingMs: r(median(api)) };
    };
    const raw1 = await raw(1);
    const rawN = await raw(ENVS);
    say(`transport, 1 environment: SFTP readFile ${raw1.sftpReadMs} ms, Docker ping ${raw1.dockerPingMs} ms; ${ENVS} at once: ${rawN.sftpReadMs} ms, ${rawN.dockerPingMs} ms`);
    console.log(JSON.stringify({ bench: 'fleet-breakdown', envs: ENVS, rounds: ROUNDS, coldMs, alone: { medianMs: r(median(alone)), calls: aloneCalls }, together: { medianMs: r(median(together)), p95Ms: r(pct(together, 95)), calls: togetherCalls }, raw1, rawN }));
  } finally {
    await Promise.all(envs.map((e) => e.endpoint.close()));
    await host.dispose();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
