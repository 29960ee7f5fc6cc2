import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import { CodedError } from '@/lib/errors';
import type { ContainerStatsDto, LiveOverviewDto, OverviewDto, RegistryStatusDto } from '@/lib/dto/overview';
import { requireRole, type Caller } from '../auth/caller';
import type { Runtime } from '../runtime';
import { currentStatus } from './operations';
import { newerRelease, registryTags } from './releases';

export async function getOverview(rt: Runtime, caller: Caller): Promise<OverviewDto> {
  requireRole(caller, 'viewer');
  const { deployDir } = rt.env;
  // The engine's reachability comes with the stack status (currentStatus); asking twice per page
  // would double the Docker round trips of the busiest page.
  return {
    deployDir,
    initialised: fs.existsSync(path.join(deployDir, 'tale.json')),
  };
}

async function registryStatus(rt: Runtime, active: string | null): Promise<RegistryStatusDto> {
  try {
    const versions = await registryTags(rt);
    return { reachable: true, newest: versions[0] ?? null, newer: await newerRelease(rt, versions, active) };
  } catch (err) {
    // The registry's coded errors are written for operators and carry no credentials.
    return { reachable: false, message: err instanceof CodedError ? err.message : 'The registry could not be reached.' };
  }
}

/**
 * What the overview polls (the caller has checked the viewer role): the stack, one-shot CPU and
 * memory of every running container, and whether the registry has something newer.
 */
export async function liveOverview(rt: Runtime, options: { stats?: boolean } = {}): Promise<LiveOverviewDto> {
  const status = await currentStatus(rt);
  // Docker takes a second sample for each reading, so the page's first render goes without and
  // the first poll brings them.
  const port = status.engine.reachable && options.stats !== false ? rt.host.stats : null;
  const running = status.containers.filter((c) => c.status === 'running' || c.status === 'healthy' || c.status === 'starting' || c.status === 'unhealthy');
  const [readings, registry] = await Promise.all([
    Promise.all(port ? running.map(async (c) => [c.name, await port.stats(c.name).catch(() => null)] as const) : []),
    registryStatus(rt, status.activeVersion),
  ]);
  const stats: Record<string, ContainerStatsDto> = {};
  for (const [name, s] of readings) if (s) stats[name] = s;
  return { status, stats, registry, checkedAt: new Date().toISOString() };
}
