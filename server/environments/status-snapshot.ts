import type { FleetProbeDto } from '@/lib/dto/environments';
import type { Runtime } from '../runtime';
import { withDeadline, type Settled } from './deadline';

// A remote environment's stack status, kept by its runtime (docs/environments.md#fleet). Asking
// ten hosts on every fleet request cost ~1.2 s (each probe is a dozen sequential SFTP and Docker
// round trips over SSH, ten at once on two cores, bench/fleet-breakdown.ts): the runtime reads
// it in the background instead and the page reads memory. A snapshot always says when it was
// read, one older than the page accepts is read again (under the deadline) rather than shown,
// and a host that failed or timed out is kept as that failure, so the page shows it unreachable
// at once instead of waiting for the deadline again.

/** How often a kept runtime reads its environment's status. */
export const STATUS_REFRESH_MS = 10_000;
/** The oldest snapshot the fleet shows; an older one is read again first. */
export const STATUS_MAX_AGE_MS = 15_000;
/** How long one environment may take to answer (the fleet's deadline per environment). */
export const STATUS_DEADLINE_MS = 3_000;

export type Snapshot<T> = { settled: Settled<T>; /** epoch ms when it settled */ at: number };

export interface SnapshotKeeper<T> {
  /** The kept snapshot if younger than `maxAgeMs`, else a new read (joining one under way), settled by the deadline. */
  get(maxAgeMs: number): Promise<Snapshot<T>>;
  /** The kept snapshot, however old (null before the first read settled). */
  peek(): Snapshot<T> | null;
  /** Reads now, or joins the read under way. */
  refresh(): Promise<Snapshot<T>>;
  /** Reads now and every `intervalMs` until stop(). */
  start(): void;
  stop(): void;
}

export function createSnapshotKeeper<T>(o: { read: () => Promise<T>; deadlineMs: number; intervalMs: number; now?: () => number }): SnapshotKeeper<T> {
  const now = o.now ?? Date.now;
  let current: Snapshot<T> | null = null;
  let reading: Promise<T> | null = null;
  let refreshing: Promise<Snapshot<T>> | null = null;
  let timer: NodeJS.Timeout | null = null;

  const refresh = (): Promise<Snapshot<T>> => {
    if (refreshing) return refreshing;
    if (!reading) {
      // One read at a time: a hung host never collects a queue of reads on its kept connection.
      // A read that ends after its deadline still replaces the timeout it left: it is newer news.
      const started = now();
      const r = Promise.resolve().then(o.read);
      reading = r;
      const late = (settled: Settled<T>) => {
        if (current && !current.settled.ok && current.settled.timedOut && current.at >= started) current = { settled, at: now() };
      };
      r.then(
        (value) => late({ ok: true, value, ms: now() - started }),
        (error: unknown) => late({ ok: false, error, timedOut: false, ms: now() - started }),
      ).finally(() => reading === r && (reading = null));
    }
    const r = reading;
    const p = withDeadline(() => r, o.deadlineMs, { now }).then((settled) => (current = { settled, at: now() }));
    refreshing = p;
    void p.finally(() => refreshing === p && (refreshing = null));
    return p;
  };

  return {
    async get(maxAgeMs) {
      if (current && now() - current.at <= maxAgeMs) return current;
      return refresh();
    },
    peek: () => current,
    refresh,
    start() {
      if (timer) return;
      void refresh();
      timer = setInterval(() => void refresh(), o.intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

// Which runtime keeps which status: set by server/environment-runtimes.ts when it builds a remote
// runtime, read by the fleet. A runtime without one (the local one, a test's) is asked live.
const kept = new WeakMap<Runtime, SnapshotKeeper<FleetProbeDto>>();

export function keepStatus(rt: Runtime, keeper: SnapshotKeeper<FleetProbeDto>): void {
  kept.set(rt, keeper);
}

export function keptStatus(rt: Runtime): SnapshotKeeper<FleetProbeDto> | undefined {
  return kept.get(rt);
}
