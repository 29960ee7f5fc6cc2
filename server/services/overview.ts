import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import { CodedError } from '@/lib/errors';
import type { ContainerStatsDto, LiveOverviewDto, OverviewDto, RegistryStatusDto } from '@/lib/dto/overview';
import { getEnv } from '../env';
import { requirePageUser } from '../auth/session';
import { getDocker } from '../docker/client';
import { createStatsPort } from '../docker/container-stats';
import { currentStatus } from './operations';
import { newerRelease, registryTags } from './releases';

export async function getOverview(): Promise<OverviewDto> {
  await requirePageUser('viewer');
  const { deployDir } = getEnv();
  // The engine's reachability comes with the stack status (currentStatus); asking twice per page
  // would double the Docker round trips of the busiest page.
  return {
    deployDir,
    initialised: fs.existsSync(path.join(deployDir, 'tale.json')),
  };
}

async function registryStatus(active: string | null): Promise<RegistryStatusDto> {
  try {
    const versions = await registryTags();
    return { reachable: true, newest: versions[0] ?? null, newer: await newerRelease(versions, active) };
  } catch (err) {
    // The registry's coded errors are written for operators and carry no credentials.
    return { reachable: false, message: err instanceof CodedError ? err.message : 'The registry could not be reached.' };
  }
}

/**
 * What the overview polls (the caller has checked the viewer role): the stack, one-shot CPU and
 * memory of every running container, and whether the registry has something newer.
 */
export async function liveOverview(options: { stats?: boolean } = {}): Promise<LiveOverviewDto> {
  const status = await currentStatus();
  // Docker takes a second sample for each reading, so the page's first render goes without and
  // the first poll brings them.
  const port = status.engine.reachable && options.stats !== false ? createStatsPort(getDocker()) : null;
  const running = status.containers.filter((c) => c.status === 'running' || c.status === 'healthy' || c.status === 'starting' || c.status === 'unhealthy');
  const [readings, registry] = await Promise.all([
    Promise.all(port ? running.map(async (c) => [c.name, await port.stats(c.name).catch(() => null)] as const) : []),
    registryStatus(status.activeVersion),
  ]);
  const stats: Record<string, ContainerStatsDto> = {};
  for (const [name, s] of readings) if (s) stats[name] = s;
  return { status, stats, registry, checkedAt: new Date().toISOString() };
}
