import type { ContainerState } from './classify';

// Per-service uptime from the recorded changes. Pure, for unit tests and the history service.
//
// A service is as well as its best container (up > unhealthy > down): during a blue-green switch
// the old colour stops after the new one is healthy, and the service never went down. Time inside
// a gap, and before any container of the service was seen, is unknown: not counted as up or down.

export type StatePoint = { at: number; container: string; service: string; state: ContainerState };
export type Span = { from: number; to: number };
export type UptimeBucket = { start: number; up: number; unhealthy: number; down: number; unknown: number };

const RANK: Record<ContainerState, number> = { down: 0, unhealthy: 1, up: 2 };

/**
 * `points`: every state change of the service's containers in [from, to), plus each container's
 * last one before `from` (its state when the range begins), in any order. Answers one bucket per
 * `bucketMs` from `from`, each with the milliseconds spent in each state.
 */
export function uptimeBuckets(points: StatePoint[], gaps: Span[], from: number, to: number, bucketMs: number): UptimeBucket[] {
  const buckets: UptimeBucket[] = [];
  for (let s = from; s < to; s += bucketMs) buckets.push({ start: s, up: 0, unhealthy: 0, down: 0, unknown: 0 });
  const sorted = [...points].sort((a, b) => a.at - b.at);
  const times = new Set<number>([from, to]);
  for (const b of buckets) times.add(b.start);
  for (const p of sorted) if (p.at > from && p.at < to) times.add(p.at);
  for (const g of gaps) for (const t of [g.from, g.to]) if (t > from && t < to) times.add(t);
  const cuts = [...times].sort((a, b) => a - b);
  const states = new Map<string, ContainerState>();
  let next = 0;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const start = cuts[i]!;
    const end = cuts[i + 1]!;
    while (next < sorted.length && sorted[next]!.at <= start) {
      states.set(sorted[next]!.container, sorted[next]!.state);
      next++;
    }
    const inGap = gaps.some((g) => g.from <= start && end <= g.to);
    let best: ContainerState | null = null;
    for (const s of states.values()) if (best === null || RANK[s] > RANK[best]) best = s;
    const bucket = buckets[Math.min(buckets.length - 1, Math.floor((start - from) / bucketMs))]!;
    bucket[inGap || best === null ? 'unknown' : best] += end - start;
  }
  return buckets;
}

/** Percent of the known time the service was up; null when nothing is known. */
export function uptimePercent(buckets: UptimeBucket[]): number | null {
  let up = 0;
  let known = 0;
  for (const b of buckets) {
    up += b.up;
    known += b.up + b.unhealthy + b.down;
  }
  return known ? (up / known) * 100 : null;
}
