import { describe, expect, it } from 'vitest';
import { statsFromRaw } from './container-stats';

describe('container stats', () => {
  it('computes CPU percent over both samples and memory without the reclaimable cache', () => {
    const s = statsFromRaw({
      cpu_stats: { cpu_usage: { total_usage: 3_000_000 }, system_cpu_usage: 20_000_000, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 1_000_000 }, system_cpu_usage: 10_000_000 },
      memory_stats: { usage: 50_000_000, limit: 1_000_000_000, stats: { inactive_file: 10_000_000 } },
    });
    expect(s).toEqual({ cpuPercent: 40, memoryBytes: 40_000_000, memoryLimitBytes: 1_000_000_000 });
  });

  it('reports no CPU figure without a previous sample (a stopped or just-started container)', () => {
    const s = statsFromRaw({ cpu_stats: { cpu_usage: { total_usage: 5 }, system_cpu_usage: 10 }, precpu_stats: { cpu_usage: {} }, memory_stats: {} });
    expect(s).toEqual({ cpuPercent: null, memoryBytes: null, memoryLimitBytes: null });
  });

  it('falls back to cgroup v1 cache counters', () => {
    expect(statsFromRaw({ memory_stats: { usage: 100, limit: 1000, stats: { total_inactive_file: 30 } } }).memoryBytes).toBe(70);
  });
});
