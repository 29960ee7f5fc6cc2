// CPU and memory samples: resolution tiers, roll-up and chart series. Pure, for unit tests.
//
// Why these tiers: each keeps at least the resolution of the charts that read it, and no tier
// grows with time. The 1 h chart draws 10 s points, so raw readings stay 24 h (the 24 h chart
// averages them to 5 min); the 7 d chart draws 30 min points, and a 1 min tier for 7 days still
// lets an incident of last week be looked at closely; the 30 d chart draws 2 h points from 10 min
// averages. For a stack of 6 containers that is 6 × (8,640 + 8,640 + 3,600) ≈ 125,000 rows at most
// (bench/watch.ts measures the bytes); nothing older than 30 days is kept.

export type SampleRow = { at: number; container: string; service: string; color: string | null; cpuPercent: number | null; memoryBytes: number | null; count: number };

export const SAMPLE_INTERVAL_MS = 10_000;
const H = 3_600_000;
/** Each tier: its resolution in seconds and how long its rows are kept before the next tier takes them. */
export const TIERS = [
  { resolution: 10, keepMs: 24 * H },
  { resolution: 60, keepMs: 7 * 24 * H },
  { resolution: 600, keepMs: 30 * 24 * H },
] as const;
export const RETENTION_MS = TIERS[2].keepMs;

/** Averages rows into buckets of `bucketSeconds` per container, weighting each row by its count. */
export function rollUp(rows: SampleRow[], bucketSeconds: number): SampleRow[] {
  const ms = bucketSeconds * 1000;
  const groups = new Map<string, { row: SampleRow; cpu: [number, number]; mem: [number, number] }>();
  for (const r of rows) {
    const at = Math.floor(r.at / ms) * ms;
    const key = `${r.container}\u0000${at}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { row: { ...r, at, count: 0, cpuPercent: null, memoryBytes: null }, cpu: [0, 0], mem: [0, 0] }));
    g.row.count += r.count;
    if (r.cpuPercent !== null) (g.cpu[0] += r.cpuPercent * r.count), (g.cpu[1] += r.count);
    if (r.memoryBytes !== null) (g.mem[0] += r.memoryBytes * r.count), (g.mem[1] += r.count);
  }
  return [...groups.values()]
    .map(({ row, cpu, mem }) => ({ ...row, cpuPercent: cpu[1] ? cpu[0] / cpu[1] : null, memoryBytes: mem[1] ? Math.round(mem[0] / mem[1]) : null }))
    .sort((a, b) => a.at - b.at || a.container.localeCompare(b.container));
}

/**
 * What one downsampling pass does at `now`: rows of a tier older than its keep time (cut at the
 * next tier's bucket boundary, so a bucket is rolled up whole, once) become the next tier's rows;
 * the last tier's are dropped.
 */
export function downsamplePlan(now: number): { roll: { from: number; to: number; before: number }[]; dropBefore: number } {
  const roll = [];
  for (let i = 0; i + 1 < TIERS.length; i++) {
    const next = TIERS[i + 1]!.resolution * 1000;
    roll.push({ from: TIERS[i]!.resolution, to: TIERS[i + 1]!.resolution, before: Math.floor((now - TIERS[i]!.keepMs) / next) * next });
  }
  return { roll, dropBefore: now - RETENTION_MS };
}

export type SeriesPoint = { at: number; cpu: Record<string, number | null>; memory: Record<string, number | null> };

/**
 * Chart points every `bucketMs` in [from, to): per service, the sum over its containers of each
 * container's average (two colours running side by side both use the host); null where no
 * reading exists, so the chart leaves a hole instead of drawing a line through a gap.
 */
export function chartSeries(rows: SampleRow[], services: readonly string[], from: number, to: number, bucketMs: number): SeriesPoint[] {
  const perContainer = rollUp(
    rows.filter((r) => r.at >= from && r.at < to).map((r) => ({ ...r, at: from + Math.floor((r.at - from) / bucketMs) * bucketMs })),
    1,
  );
  const points: SeriesPoint[] = [];
  const index = new Map<number, SeriesPoint>();
  for (let at = from; at < to; at += bucketMs) {
    const point: SeriesPoint = { at, cpu: Object.fromEntries(services.map((s) => [s, null])), memory: Object.fromEntries(services.map((s) => [s, null])) };
    points.push(point);
    index.set(at, point);
  }
  for (const r of perContainer) {
    const point = index.get(r.at);
    if (!point || !(r.service in point.cpu)) continue;
    if (r.cpuPercent !== null) point.cpu[r.service] = (point.cpu[r.service] ?? 0) + r.cpuPercent;
    if (r.memoryBytes !== null) point.memory[r.service] = (point.memory[r.service] ?? 0) + r.memoryBytes;
  }
  return points;
}
