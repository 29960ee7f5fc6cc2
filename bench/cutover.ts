// bench/cutover: an upgrade (GOOD → NEXT) and a rollback on the real test bed (fixture images, a
// loopback registry, Tale's Caddy proxy, stateful services from the engine's own first deploy),
// each under load through the proxy. Prints a line per operation and, last, one JSON summary:
// requests, failed, versions seen, overlap window and the deploy wall time split by phase.
//   npx tsx bench/cutover.ts     [BENCH_CONCURRENCY=50] [BENCH_DRAIN_TIMEOUT=10] [BENCH_SETTLE_MS=3000]
import { waitForUrl } from '../e2e/fixtures/http-get';
import { GOOD_VERSION, NEXT_VERSION } from '../e2e/fixtures/versions';
import { deploy, rollback, type DeployResult } from '../server/engine/deploy';
import type { StepName } from '../server/engine/ports';
import { proxyUrlOf, testBedDocker, testBedPorts, type TimedEvent } from '../server/docker/test-bed-ports';
import { overlapMs, overlapSeconds, startTraffic } from '../server/docker/test-bed-traffic';
import { runBenchOnTestBed } from './support/test-bed-run';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const DRAIN_TIMEOUT = Number(process.env.BENCH_DRAIN_TIMEOUT ?? 10);
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 3000);

const PHASES = ['resolve', 'pull', 'start', 'health', 'switch', 'retire'] as const;
type Phase = (typeof PHASES)[number];
const EXECUTE_STEPS: readonly StepName[] = ['pull', 'infrastructure', 'stateful', 'cleanup-target', 'start', 'health', 'switch', 'retire'];

interface PhaseSplit extends Record<Phase, number> {
  wallMs: number;
  /** db, proxy and convex (first deploy only): their health check dominates a first deploy. */
  stateful: number;
  /** Lock, plan, volumes/network and leftover removal: the wall time outside the phases above. */
  other: number;
}

/**
 * Wall time per phase from the engine's timestamped events. The executor announces each phase as
 * it enters it (start and health alternate once per dependency wave), so a phase lasts from its
 * `started` to the next phase's `started`, summed over its visits.
 */
function phaseSplit(events: TimedEvent[]): PhaseSplit {
  const split: PhaseSplit = { wallMs: 0, stateful: 0, other: 0, resolve: 0, pull: 0, start: 0, health: 0, switch: 0, retire: 0 };
  const first = events[0];
  const last = events.find((e) => e.step === 'done') ?? events[events.length - 1];
  if (!first || !last) return split;
  split.wallMs = last.at - first.at;
  const resolveStart = events.find((e) => e.step === 'resolve' && e.status === 'started');
  const resolveEnd = events.find((e) => e.step === 'resolve' && e.status === 'succeeded');
  if (resolveStart && resolveEnd) split.resolve = resolveEnd.at - resolveStart.at;
  const entries = events.filter((e) => e.status === 'started' && EXECUTE_STEPS.includes(e.step));
  entries.forEach((e, i) => {
    const end = entries[i + 1]?.at ?? last.at;
    if ((PHASES as readonly string[]).includes(e.step)) split[e.step as Phase] += end - e.at;
    if (e.step === 'stateful') split.stateful += end - e.at;
  });
  split.other = split.wallMs - split.stateful - PHASES.reduce((sum, p) => sum + split[p], 0);
  return split;
}

interface OperationFigures {
  operation: 'upgrade' | 'rollback';
  from: string;
  to: string;
  requests: number;
  failed: number;
  failuresByKind: Record<string, number>;
  versionsSeen: string[];
  byVersion: Record<string, number>;
  overlapMs: number;
  /** One-second load buckets in which both versions answered (cross-check). */
  overlapSecondsInLoad: number;
  /** First answer of the new version after the switch began (negative would be a gate breach). */
  firstNewAfterSwitchMs: number | null;
  /** Versions answering after the operation returned (only the new one is right). */
  versionsAfterDone: string[];
  phasesMs: PhaseSplit;
}

async function measured(
  operation: OperationFigures['operation'],
  from: string,
  to: string,
  url: string,
  timeline: TimedEvent[],
  run: () => Promise<DeployResult>,
): Promise<OperationFigures> {
  const traffic = startTraffic(url, { concurrency: CONCURRENCY });
  await new Promise((r) => setTimeout(r, 1000));
  const firstEvent = timeline.length;
  const result = await run();
  const doneAt = Date.now();
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const report = await traffic.stop();
  const events = timeline.slice(firstEvent);
  if (result.version !== to) throw new Error(`${operation} ended on ${result.version}, expected ${to}`);
  const switchAt = events.find((e) => e.step === 'switch' && e.status === 'started')?.at ?? null;
  const firstNew = report.samples.find((s) => s.version === to)?.at ?? null;
  const after = new Set(report.samples.filter((s) => s.sentAt > doneAt).map((s) => s.version ?? 'none'));
  return {
    operation,
    from,
    to,
    requests: report.requests,
    failed: report.failed,
    failuresByKind: report.failuresByKind,
    versionsSeen: Object.keys(report.byVersion).sort(),
    byVersion: report.byVersion,
    overlapMs: overlapMs(report, from, to),
    overlapSecondsInLoad: overlapSeconds(report, from, to),
    firstNewAfterSwitchMs: switchAt !== null && firstNew !== null ? firstNew - switchAt : null,
    versionsAfterDone: [...after].sort(),
    phasesMs: phaseSplit(events),
  };
}

function line(f: OperationFigures): string {
  const p = f.phasesMs;
  return (
    `${f.operation.padEnd(8)} ${f.from}→${f.to}  requests=${f.requests} failed=${f.failed} versions=${f.versionsSeen.join(',')} ` +
    `overlap=${f.overlapMs}ms  wall=${p.wallMs}ms resolve=${p.resolve} pull=${p.pull} start=${p.start} health=${p.health} ` +
    `switch=${p.switch} retire=${p.retire} other=${p.other}`
  );
}

runBenchOnTestBed(
  { prefix: 'bench-cutover', versions: [GOOD_VERSION, NEXT_VERSION], extraEnv: { HEALTH_CHECK_TIMEOUT: '150', DRAIN_TIMEOUT: String(DRAIN_TIMEOUT) } },
  async ({ deployment }) => {
    const docker = testBedDocker();
    const ports = testBedPorts(docker, deployment.dir);

    const firstStarted = Date.now();
    await deploy(ports, { version: GOOD_VERSION });
    const firstDeployMs = Date.now() - firstStarted;
    const firstPhases = phaseSplit(ports.timeline);
    const url = await proxyUrlOf(docker, deployment.id);
    await waitForUrl(url, { host: 'localhost', deadlineMs: 60_000, accept: (r) => r.headers['x-tale-version'] === GOOD_VERSION });
    process.stdout.write(`first deploy ${GOOD_VERSION}: ${firstDeployMs} ms (stateful services included)\n`);

    const upgrade = await measured('upgrade', GOOD_VERSION, NEXT_VERSION, url, ports.timeline, () => deploy(ports, { version: NEXT_VERSION }));
    process.stdout.write(`${line(upgrade)}\n`);
    const back = await measured('rollback', NEXT_VERSION, GOOD_VERSION, url, ports.timeline, () => rollback(ports));
    process.stdout.write(`${line(back)}\n`);

    return {
      bench: 'cutover',
      concurrency: CONCURRENCY,
      drainTimeoutSeconds: DRAIN_TIMEOUT,
      firstDeploy: { wallMs: firstDeployMs, phasesMs: firstPhases },
      operations: { upgrade, rollback: back },
    };
  },
);
