// bench/proxy-blip: how long the site is unreachable while the engine replaces the running proxy,
// on the real test bed (fixture images, a loopback registry, Tale's Caddy proxy published on fixed
// loopback ports). Each run changes a key the proxy reads (TLS_EMAIL, which Caddy ignores in
// external mode, so only the container changes) and applies it as "Apply now" does, an in-place
// update of the proxy, while one client sends requests back to back, each on a new connection as
// a new visitor's would be. Runs alternate between two ways of replacing the proxy:
//   in-place  the steps before issue #20: stop and remove the old proxy, create the new one, start it
//   prepared  the engine's steps now: the old one renamed aside while it serves, the new one
//             created, then the old one's stop and the new one's start back to back
// Prints a line per run and, last, one JSON summary with each strategy's figures.
//   npx tsx bench/proxy-blip.ts     [BENCH_RUNS=10] [BENCH_PAUSE_MS=5]
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { httpGet, waitForUrl } from '../e2e/fixtures/http-get';
import { GOOD_VERSION } from '../e2e/fixtures/versions';
import { publishProxyOnLoopback } from '../e2e/support/loopback-proxy';
import { createDockerPort } from '../server/docker/docker-adapter';
import { testBedDocker, testBedPorts, type TestBedPorts } from '../server/docker/test-bed-ports';
import { deploy } from '../server/engine/deploy';
import { planDeploy } from '../server/engine/deploy-plan';
import { executePlan } from '../server/engine/execute-plan';
import { RETIRING_SUFFIX } from '../server/engine/plan-steps';
import type { DeployPlan, DeployStep } from '../server/engine/plan-types';
import { runBenchOnTestBed } from './support/test-bed-run';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const PAUSE_MS = Number(process.env.BENCH_PAUSE_MS ?? 5);
const STRATEGIES = ['in-place', 'prepared'] as const;
type Strategy = (typeof STRATEGIES)[number];

interface Sample {
  sentAt: number;
  at: number;
  ok: boolean;
  error: string | null;
}

interface RunFigures {
  run: number;
  strategy: Strategy;
  requests: number;
  failed: number;
  /**
   * From the first request that failed to the first answer after the failures: no request sent
   * in this window was answered. Includes the requests that reached the new proxy before it
   * listened and waited for TCP's retransmission (about 1 s) instead of failing.
   */
  unreachableMs: number;
  /** From the first failed request to the last one (sent to answered): requests were refused or reset. */
  failingMs: number;
  errors: Record<string, number>;
  /** The whole in-place update, plan to healthy proxy (the health gate waits for Docker's first check). */
  operationMs: number;
}

/** Requests back to back, a new connection each (no keep-alive), until stopped. */
function requestLoop(url: string): { stop(): Promise<Sample[]> } {
  const samples: Sample[] = [];
  const agent = new http.Agent({ keepAlive: false });
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const sentAt = Date.now();
      try {
        const r = await httpGet(url, { host: 'localhost', timeoutMs: 5000, agent });
        samples.push({ sentAt, at: Date.now(), ok: r.status === 200, error: r.status === 200 ? null : `http_${r.status}` });
      } catch (e) {
        samples.push({ sentAt, at: Date.now(), ok: false, error: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
      }
      await new Promise((r) => setTimeout(r, PAUSE_MS));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      agent.destroy();
      return samples;
    },
  };
}

function blip(samples: Sample[]): Pick<RunFigures, 'requests' | 'failed' | 'unreachableMs' | 'failingMs' | 'errors'> {
  const errors: Record<string, number> = {};
  for (const s of samples) if (s.error) errors[s.error] = (errors[s.error] ?? 0) + 1;
  const failures = samples.filter((s) => !s.ok);
  const first = failures[0];
  const last = failures[failures.length - 1];
  if (!first || !last) return { requests: samples.length, failed: 0, unreachableMs: 0, failingMs: 0, errors };
  const after = samples.slice(samples.indexOf(last) + 1).find((s) => s.ok);
  if (!after) throw new Error('the proxy never answered again');
  return { requests: samples.length, failed: failures.length, unreachableMs: after.at - first.sentAt, failingMs: last.at - first.sentAt, errors };
}

/** The plan as the engine made it before issue #20: the proxy stopped and removed, then created and started. */
function inPlace(plan: DeployPlan, proxy: string): DeployPlan {
  const steps: DeployStep[] = [];
  for (const step of plan.steps) {
    if (step.action === 'rename' || step.action === 'stop') continue;
    if (step.action === 'remove' && step.container === `${proxy}${RETIRING_SUFFIX}`) continue;
    if (step.action === 'create' && step.container === proxy) {
      steps.push({ phase: 'stateful', action: 'remove', container: proxy, reason: 'update in place', stopGraceSeconds: plan.specs[proxy]!.stopGracePeriodSeconds });
    }
    steps.push(step);
  }
  return { ...plan, steps };
}

function setEnvKey(envFile: string, key: string, value: string): void {
  const lines = fs.readFileSync(envFile, 'utf8').split('\n').filter((l) => !l.startsWith(`${key}=`));
  const body = `${lines.join('\n').replace(/\n+$/, '')}\n${key}=${value}\n`;
  const tmp = `${envFile}.tmp`;
  fs.writeFileSync(tmp, body, { mode: 0o600 });
  fs.renameSync(tmp, envFile);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2]! : Math.round((s[s.length / 2 - 1]! + s[s.length / 2]!) / 2);
};

runBenchOnTestBed({ prefix: 'px-blip', versions: [GOOD_VERSION], extraEnv: { HEALTH_CHECK_TIMEOUT: '150', DRAIN_TIMEOUT: '2' } }, async ({ deployment }) => {
  // Fixed loopback ports (compose.override.yml): the replaced proxy must publish where the old one did.
  const published = await publishProxyOnLoopback(deployment.dir);
  const docker = testBedDocker();
  const ports: TestBedPorts = { ...testBedPorts(docker, deployment.dir), docker: createDockerPort(docker) };
  await deploy(ports, { version: GOOD_VERSION });
  const url = `http://127.0.0.1:${published.http}/`;
  await waitForUrl(url, { host: 'localhost', deadlineMs: 60_000 });
  const proxy = `${deployment.id}-proxy`;

  const runs: RunFigures[] = [];
  for (let run = 1; run <= RUNS; run += 1) {
    const strategy = STRATEGIES[(run - 1) % STRATEGIES.length]!;
    setEnvKey(path.join(deployment.dir, '.env'), 'TLS_EMAIL', `blip-${run}@example.com`);
    const started = Date.now();
    const planned = await planDeploy(ports, { version: GOOD_VERSION, services: ['proxy'] });
    if (!planned.proxyRestart) throw new Error('the plan does not replace the proxy');
    const plan = strategy === 'in-place' ? inPlace(planned, proxy) : planned;
    const loop = requestLoop(url);
    await new Promise((r) => setTimeout(r, 500));
    await executePlan(ports, plan);
    await waitForUrl(url, { host: 'localhost', deadlineMs: 60_000 });
    await new Promise((r) => setTimeout(r, 500));
    const figures: RunFigures = { run, strategy, ...blip(await loop.stop()), operationMs: Date.now() - started };
    runs.push(figures);
    process.stdout.write(
      `run ${run} ${strategy.padEnd(8)} unreachable=${figures.unreachableMs}ms failing=${figures.failingMs}ms ` +
        `failed=${figures.failed}/${figures.requests} errors=${JSON.stringify(figures.errors)} operation=${figures.operationMs}ms\n`,
    );
  }

  const by = (s: Strategy) => {
    const mine = runs.filter((r) => r.strategy === s);
    const unreachable = mine.map((r) => r.unreachableMs);
    return { runs: mine.length, unreachableMs: unreachable, medianMs: median(unreachable), maxMs: Math.max(...unreachable) };
  };
  return { bench: 'proxy-blip', pauseMs: PAUSE_MS, strategies: { inPlace: by('in-place'), prepared: by('prepared') }, runs };
});
