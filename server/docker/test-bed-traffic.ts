import http from 'node:http';
import { httpGet } from '@/e2e/fixtures/http-get';
import { httpFailureKind, LIMITS, runLoad, type LoadSummary } from '@/e2e/fixtures/load';

// Traffic through the real proxy while the engine works: the fixture's load generator for volume
// (it counts per second), plus a few probes that timestamp every answer, because "who answered
// when" (overlap, nothing new before the switch) needs millisecond times, not one-second buckets.

export interface TrafficSample {
  /** When the request was sent and when its answer (or error) arrived, epoch ms. */
  sentAt: number;
  at: number;
  version: string | null;
  error: string | null;
}

export interface TrafficReport {
  /** When the traffic started, epoch ms: second 0 of `load.timeline`. */
  startedAt: number;
  load: LoadSummary;
  samples: TrafficSample[];
  requests: number;
  failed: number;
  /** Answers per version, load and probes together. */
  byVersion: Record<string, number>;
  failuresByKind: Record<string, number>;
}

export interface TrafficOptions {
  host?: string;
  /** Load generator clients (each its own keep-alive connection). */
  concurrency?: number;
  /** Each load client's pause between requests (see LoadOptions.pauseMs). */
  pauseMs?: number;
  /** Timestamping probes beside the load. */
  probes?: number;
  timeoutMs?: number;
}

export interface Traffic {
  stop(): Promise<TrafficReport>;
}

export function startTraffic(url: string, options: TrafficOptions = {}): Traffic {
  const abort = new AbortController();
  const startedAt = Date.now();
  const timeoutMs = options.timeoutMs ?? 10_000;
  const load = runLoad({
    url,
    host: options.host ?? 'localhost',
    concurrency: options.concurrency ?? 50,
    durationMs: LIMITS.maxDurationMs,
    timeoutMs,
    pauseMs: options.pauseMs,
    signal: abort.signal,
  });
  const samples: TrafficSample[] = [];
  const agent = new http.Agent({ keepAlive: true });
  const probe = async () => {
    while (!abort.signal.aborted) {
      const sentAt = Date.now();
      try {
        const r = await httpGet(url, { host: options.host ?? 'localhost', timeoutMs, agent });
        const v = r.headers['x-tale-version'];
        const version = typeof v === 'string' ? v : null;
        const error = r.status !== 200 ? httpFailureKind(r.status, r.headers) : version === null ? 'no_version' : null;
        samples.push({ sentAt, at: Date.now(), version, error });
      } catch (e) {
        samples.push({ sentAt, at: Date.now(), version: null, error: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
      }
      // A short pause keeps the probes from starving the load generator on a small machine.
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const probes = Promise.all(Array.from({ length: options.probes ?? 4 }, probe));
  return {
    async stop() {
      abort.abort();
      const [summary] = await Promise.all([load, probes]);
      agent.destroy();
      const byVersion = { ...summary.byVersion };
      const failuresByKind = { ...summary.failuresByKind };
      for (const s of samples) {
        if (s.version !== null && s.error === null) byVersion[s.version] = (byVersion[s.version] ?? 0) + 1;
        if (s.error !== null) failuresByKind[s.error] = (failuresByKind[s.error] ?? 0) + 1;
      }
      const probeFailed = samples.filter((s) => s.error !== null).length;
      return {
        startedAt,
        load: summary,
        samples,
        requests: summary.requests + samples.length,
        failed: summary.failed + probeFailed,
        byVersion,
        failuresByKind,
      };
    },
  };
}

/**
 * How long two versions both answered: from the first answer of `next` to the last answer of
 * `previous` seen by the timestamping probes, 0 when they did not overlap.
 */
export function overlapMs(report: TrafficReport, previous: string, next: string): number {
  const at = (v: string) => report.samples.filter((s) => s.version === v && s.error === null).map((s) => s.at);
  const prev = at(previous);
  const nxt = at(next);
  return prev.length && nxt.length ? Math.max(0, Math.max(...prev) - Math.min(...nxt)) : 0;
}

/** One-second buckets of the load in which both versions answered (a cross-check of overlapMs). */
export function overlapSeconds(report: TrafficReport, previous: string, next: string): number {
  return report.load.timeline.filter((s) => (s.byVersion[previous] ?? 0) > 0 && (s.byVersion[next] ?? 0) > 0).length;
}
