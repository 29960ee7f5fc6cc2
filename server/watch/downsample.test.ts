import { describe, expect, it } from 'vitest';
import { chartSeries, downsamplePlan, rollUp, type SampleRow } from './downsample';

const row = (at: number, cpu: number | null, mem: number | null, o: Partial<SampleRow> = {}): SampleRow => ({ at, container: 'c1', service: 'platform', color: 'blue', cpuPercent: cpu, memoryBytes: mem, count: 1, ...o });

describe('rollUp', () => {
  it('averages a bucket per container, weighted by how many readings each row stands for', () => {
    const out = rollUp([row(0, 10, 100), row(10_000, 20, 300), row(30_000, 60, 600, { count: 2 }), row(61_000, 1, 1), row(5_000, 5, 5, { container: 'c2' })], 60);
    expect(out).toEqual([
      expect.objectContaining({ at: 0, container: 'c1', count: 4, cpuPercent: (10 + 20 + 120) / 4, memoryBytes: Math.round((100 + 300 + 1200) / 4) }),
      expect.objectContaining({ at: 0, container: 'c2', count: 1 }),
      expect.objectContaining({ at: 60_000, container: 'c1', count: 1 }),
    ]);
  });

  it('keeps a missing reading missing rather than zero', () => {
    expect(rollUp([row(0, null, 100), row(1, 50, null)], 60)[0]).toMatchObject({ cpuPercent: 50, memoryBytes: 100, count: 2 });
  });
});

describe('downsamplePlan', () => {
  it('rolls raw readings older than 24 h into minutes and minutes older than 7 days into 10 min, on whole buckets', () => {
    const now = Date.UTC(2026, 0, 10, 12, 34, 56);
    const plan = downsamplePlan(now);
    expect(plan.roll[0]).toEqual({ from: 10, to: 60, before: Date.UTC(2026, 0, 9, 12, 34, 0) });
    expect(plan.roll[1]).toEqual({ from: 60, to: 600, before: Date.UTC(2026, 0, 3, 12, 30, 0) });
    expect(plan.dropBefore).toBe(now - 30 * 24 * 3_600_000);
  });
});

describe('chartSeries', () => {
  it('sums a service’s containers per bucket and leaves holes where nothing was read', () => {
    const rows = [row(0, 10, 100), row(10_000, 30, 300), row(5_000, 5, 50, { container: 'c2' }), row(5_000, 1, 1, { service: 'db', container: 'db' })];
    const pts = chartSeries(rows, ['platform', 'db'], 0, 60_000, 20_000);
    expect(pts.map((p) => p.at)).toEqual([0, 20_000, 40_000]);
    expect(pts[0]!.cpu).toEqual({ platform: 20 + 5, db: 1 });
    expect(pts[0]!.memory.platform).toBe(200 + 50);
    expect(pts[1]!.cpu.platform).toBeNull();
  });
});
