import 'server-only';
import { CodedError } from '@/lib/errors';
import type { StackStatusDto } from '@/lib/dto/operations';
import type { ContainerStatsDto, ContainerStatsListDto, LiveOverviewDto, OverviewDto, RegistryStatusDto } from '@/lib/dto/overview';
import { requireRole, type Caller } from '../auth/caller';
import type { Runtime } from '../runtime';
import { projectPaths } from '../project/project-paths';
import { databaseInUse } from './bundled-database';
import { currentStatus } from './operations';
import type { FailedHereDto } from '@/lib/dto/versions';
import { failedReleases } from './failed-releases';
import { prePullStatus } from './pre-pull';
import { newerRelease, registryTags, upgradeCandidates } from './releases';

export async function getOverview(rt: Runtime, caller: Caller): Promise<OverviewDto> {
  requireRole(caller, 'viewer');
  const { dir, fs } = rt.files;
  // The engine's reachability comes with the stack status (currentStatus); asking twice per page
  // would double the Docker round trips of the busiest page.
  return { deployDir: dir, initialised: (await fs.mode(projectPaths(dir).taleJson)) !== null };
}

async function registryStatus(rt: Runtime, active: string | null): Promise<RegistryStatusDto> {
  try {
    const versions = await registryTags(rt);
    const failed = failedReleases(rt.db, rt.environment.id);
    const passedOver = upgradeCandidates(versions, active).filter((v) => failed.has(v)).map((version) => ({ version, ...(failed.get(version) as FailedHereDto) }));
    return { reachable: true, newest: versions[0] ?? null, newer: await newerRelease(rt, versions, active, failed), failedHere: passedOver };
  } catch (err) {
    // The registry's coded errors are written for operators and carry no credentials.
    return { reachable: false, message: err instanceof CodedError ? err.message : 'The registry could not be reached.' };
  }
}

// Docker takes a second sample for every stats reading (1 to 2 s measured on Engine 20.10; its
// one-shot flag still takes a second and leaves CPU out), so the overview never waits for them: the
// status comes at once with the readings already known, fresh ones from their own poll
// (containerStats).
const KNOWN_STATS = 'overview.stats';
/** How long a reading still stands for a container's CPU and memory on a first view. */
const KNOWN_FOR_MS = 30_000;
type KnownStats = Map<string, { at: number; stats: ContainerStatsDto }>;

function knownStats(rt: Runtime): KnownStats {
  let known = rt.cache.get(KNOWN_STATS) as KnownStats | undefined;
  if (!known) rt.cache.set(KNOWN_STATS, (known = new Map()));
  return known;
}

const RUNNING = new Set(['running', 'healthy', 'starting', 'unhealthy']);
const runningNames = (status: StackStatusDto) => status.containers.filter((c) => RUNNING.has(c.status)).map((c) => c.name);

/**
 * What the overview shows and polls (the caller has checked the viewer role): the stack, whether
 * the registry has something newer, and the CPU and memory readings of the last
 * KNOWN_FOR_MS for the containers that run (none until containerStats has been asked).
 */
export async function liveOverview(rt: Runtime): Promise<LiveOverviewDto> {
  const status = await currentStatus(rt);
  const registry = await registryStatus(rt, status.activeVersion);
  // Reads the same containers again for their environment; a failure only hides the line.
  const database = status.initialised ? await databaseInUse(rt).catch(() => null) : null;
  const now = rt.clock.now();
  const known = knownStats(rt);
  const stats: Record<string, ContainerStatsDto> = {};
  for (const name of runningNames(status)) {
    const reading = known.get(name);
    if (reading && now.getTime() - reading.at < KNOWN_FOR_MS) stats[name] = reading.stats;
  }
  const prePull = await prePullStatus(rt, status.activeVersion).catch(() => null);
  return { status, stats, registry, database, prePull, checkedAt: now.toISOString() };
}

/** Fresh CPU and memory of every running container (the slow part), remembered for liveOverview. */
export async function containerStats(rt: Runtime): Promise<ContainerStatsListDto> {
  const status = await currentStatus(rt);
  const names = status.engine.reachable ? runningNames(status) : [];
  const readings = await Promise.all(names.map(async (name) => [name, await rt.host.stats.stats(name).catch(() => null)] as const));
  const known = knownStats(rt);
  const at = rt.clock.now();
  const stats: Record<string, ContainerStatsDto> = {};
  for (const [name, s] of readings) {
    if (!s) continue;
    stats[name] = s;
    known.set(name, { at: at.getTime(), stats: s });
  }
  // Containers that are gone are forgotten, so the map stays as small as the stack.
  for (const name of known.keys()) if (!names.includes(name)) known.delete(name);
  return { stats, checkedAt: at.toISOString() };
}
