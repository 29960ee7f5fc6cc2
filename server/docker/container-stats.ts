import type Docker from 'dockerode';

// One-shot resource readings for the overview, as `docker stats --no-stream` shows them. Kept apart
// from the engine's DockerPort: the orchestrator never needs them.

export type ContainerStats = {
  /** Percent of one CPU, summed over CPUs (200 = two full cores), like `docker stats`. */
  cpuPercent: number | null;
  /** Memory in use without the page cache Docker counts as reclaimable. */
  memoryBytes: number | null;
  memoryLimitBytes: number | null;
};

export interface ContainerStatsPort {
  /** null when the container does not exist or is not running. */
  stats(nameOrId: string): Promise<ContainerStats | null>;
}

type RawStats = {
  cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
};

/** The Docker CLI's arithmetic (cli/command/container/stats_helpers.go), pure for unit tests. */
export function statsFromRaw(raw: RawStats): ContainerStats {
  const cpu = raw.cpu_stats;
  const pre = raw.precpu_stats;
  let cpuPercent: number | null = null;
  const cpuDelta = (cpu?.cpu_usage?.total_usage ?? 0) - (pre?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (cpu?.system_cpu_usage ?? 0) - (pre?.system_cpu_usage ?? 0);
  if (cpu?.system_cpu_usage !== undefined && pre?.system_cpu_usage !== undefined && systemDelta > 0 && cpuDelta >= 0) {
    const cpus = cpu.online_cpus ?? cpu.cpu_usage?.percpu_usage?.length ?? 1;
    cpuPercent = (cpuDelta / systemDelta) * cpus * 100;
  }
  const mem = raw.memory_stats;
  // cgroup v2 reports inactive_file, v1 total_inactive_file: both are cache, not use.
  const cache = mem?.stats?.inactive_file ?? mem?.stats?.total_inactive_file ?? 0;
  const memoryBytes = typeof mem?.usage === 'number' ? Math.max(0, mem.usage - cache) : null;
  return { cpuPercent, memoryBytes, memoryLimitBytes: typeof mem?.limit === 'number' && mem.limit > 0 ? mem.limit : null };
}

export function createStatsPort(docker: Docker): ContainerStatsPort {
  return {
    async stats(nameOrId) {
      try {
        // stream: false waits for a second sample, so precpu_stats holds a real reading.
        const raw = (await docker.getContainer(nameOrId).stats({ stream: false })) as RawStats;
        return statsFromRaw(raw);
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return null;
        throw err;
      }
    },
  };
}
