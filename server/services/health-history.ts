import type { HealthHistoryDto, HealthRange } from '@/lib/dto/health';
import { healthHistoryQuerySchema } from '@/lib/schemas/health';
import { requireRole, type Caller } from '../auth/caller';
import { CodedError } from '@/lib/errors';
import type { Runtime } from '../runtime';
import { ALL_SERVICES } from '../stack/types';
import { chartSeries } from '../watch/downsample';
import { incidentsBetween, samplesBetween, stateChanges } from '../watch/store';
import { uptimeBuckets, uptimePercent, type Span } from '../watch/uptime';

// The overview's health history (server/watch/ records it): uptime bars for the last 24 h, CPU and
// memory for the chosen range, and the incidents of that range, all of rt's environment.

const MIN = 60_000;
const H = 60 * MIN;
/** Each range's span and chart step: about 300 points each, drawn from the tier that keeps that resolution (server/watch/downsample.ts). */
const RANGES: Record<HealthRange, { spanMs: number; stepMs: number }> = {
  '1h': { spanMs: H, stepMs: 10_000 },
  '24h': { spanMs: 24 * H, stepMs: 5 * MIN },
  '7d': { spanMs: 7 * 24 * H, stepMs: 30 * MIN },
  '30d': { spanMs: 30 * 24 * H, stepMs: 2 * H },
};
/** 48 half-hour cells per uptime bar. */
const UPTIME_BUCKET_MS = 30 * MIN;
const INCIDENT_LIMIT = 200;

export function healthHistory(rt: Runtime, caller: Caller, raw: unknown): HealthHistoryDto {
  requireRole(caller, 'viewer');
  const parsed = healthHistoryQuerySchema.safeParse(raw);
  if (!parsed.success) throw new CodedError('INVALID_INPUT', parsed.error.issues.map((i) => i.message).join('; '));
  const range = parsed.data.range;
  const { spanMs, stepMs } = RANGES[range];
  const now = rt.clock.now().getTime();
  // Align to the step, so polls a few seconds apart draw the same buckets.
  const to = Math.ceil(now / stepMs) * stepMs;
  const from = to - spanMs;

  const watcher = rt.watch.status();
  const uptimeTo = Math.ceil(now / UPTIME_BUCKET_MS) * UPTIME_BUCKET_MS;
  const uptimeFrom = uptimeTo - 24 * H;
  const { points, gaps } = stateChanges(rt.db, rt.environment.id, new Date(uptimeFrom), new Date(uptimeTo));
  // Not listening now: the time since the last heartbeat is unknown too (the next connect records it as a gap).
  const open: Span[] = !watcher.listening && watcher.lastHeartbeat ? [{ from: watcher.lastHeartbeat.getTime(), to: uptimeTo }] : [];
  // The future part of the last cell is unknown, not up.
  const spans = [...gaps, ...open, { from: now, to: uptimeTo }];
  const seen = new Set(points.map((p) => p.service));
  const services = ALL_SERVICES.filter((s) => seen.has(s)).map((service) => {
    const buckets = uptimeBuckets(points.filter((p) => p.service === service), spans, uptimeFrom, uptimeTo, UPTIME_BUCKET_MS);
    return { service, uptimePercent: uptimePercent(buckets), buckets: buckets.map((b) => ({ ...b, start: new Date(b.start).toISOString() })) };
  });

  return {
    range,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    uptime: { from: new Date(uptimeFrom).toISOString(), bucketSeconds: UPTIME_BUCKET_MS / 1000, services },
    series: {
      bucketSeconds: stepMs / 1000,
      points: chartSeries(samplesBetween(rt.db, rt.environment.id, new Date(from), new Date(to)), ALL_SERVICES, from, to, stepMs).map((p) => ({ ...p, at: new Date(p.at).toISOString() })),
    },
    incidents: incidentsBetween(rt.db, rt.environment.id, new Date(from), new Date(to), INCIDENT_LIMIT),
    watcher: { enabled: watcher.enabled, listening: watcher.listening, lastHeartbeat: watcher.lastHeartbeat?.toISOString() ?? null },
  };
}
