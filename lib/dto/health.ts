// Health history (server/watch/, GET /api/v1/health/history).

export type HealthIncidentKind = 'health' | 'die' | 'kill' | 'oom' | 'start' | 'restart' | 'stop' | 'seen' | 'gap';

/** One recorded change of a container, or a `gap` in which the watcher did not listen. */
export type HealthIncidentDto = {
  id: number;
  at: string;
  /** Only for a gap: when watching resumed. */
  until: string | null;
  kind: HealthIncidentKind;
  /** null for a gap. */
  container: string | null;
  service: string | null;
  color: 'blue' | 'green' | null;
  /** The container's state after the change; null when it did not change it (an OOM kill the container survived, a gap). */
  state: 'up' | 'unhealthy' | 'down' | null;
  exitCode: number | null;
  health: string | null;
  signal: string | null;
  /** Found by comparing Docker's containers with the last known state after a gap, not seen as it happened. */
  reconciled: boolean;
};

/** Milliseconds of each state in one bucket of a service's uptime bar. */
export type UptimeBucketDto = { start: string; up: number; unhealthy: number; down: number; unknown: number };

export type ServiceUptimeDto = { service: string; uptimePercent: number | null; buckets: UptimeBucketDto[] };

export type HealthRange = '1h' | '24h' | '7d' | '30d';

export type HealthHistoryDto = {
  range: HealthRange;
  from: string;
  to: string;
  /** Uptime bars always cover the last 24 hours. */
  uptime: { from: string; bucketSeconds: number; services: ServiceUptimeDto[] };
  /** CPU (percent of one core) and memory (bytes) per service, summed over its containers, every `bucketSeconds`; null where nothing was read. */
  series: { bucketSeconds: number; points: Array<{ at: string; cpu: Record<string, number | null>; memory: Record<string, number | null> }> };
  /** Newest first, at most 200, `seen` rows left out. */
  incidents: HealthIncidentDto[];
  watcher: { enabled: boolean; listening: boolean; lastHeartbeat: string | null };
};
