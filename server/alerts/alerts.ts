import { randomUUID } from 'node:crypto';
import type { AlertTestResultDto } from '@/lib/dto/alerts';
import type { Clock } from '../engine/ports';
import type { Db } from '../db/client';
import { nextAttemptAt } from './backoff';
import type { AlertEvent, PublishedAlert } from './events';
import { emptyHealthState, nextHealthDeadline, stepHealth, type HealthInput, type HealthState } from './health-threshold';
import { channelRow, dueDeliveries, enqueue, insertTestDelivery, nextDue, recordAttempt, toStored } from './store';
import { AlertDeliveryError, realTransport, type Transport } from './transports';

// The alerts hub of a runtime (docs/alerts.md). Publishing only writes the delivery rows: it never
// waits for a channel, so no operation is slowed or failed by an alert. A worker, started once at
// boot, sends what is due one delivery at a time, retries with backoff (backoff.ts), and picks up
// at the next start whatever a stopped console left pending.

export interface Alerts {
  /** Queues the event for every channel that chose it. Never throws, never waits for a channel. */
  publish(event: AlertEvent): void;
  /**
   * A container's health as the health watcher sees it; alerts once a condition outlasts the
   * threshold (health-threshold.ts). The watcher's incidents are fed here.
   */
  observeHealth(change: Omit<Extract<HealthInput, { type: 'change' }>, 'type'>): void;
  /** One attempt now, outside the queue and its retries (the "Send test" button); logged like any. */
  sendTest(channelId: string): Promise<AlertTestResultDto>;
  /** Sends what is due now and answers how many attempts were made (the worker's step; tests call it). */
  runDue(): Promise<number>;
  /** Starts the worker; answers its stop. Idempotent per hub. */
  start(): () => void;
}

export type AlertsDeps = {
  db: Db;
  clock: Clock;
  publicUrl: string | undefined;
  transport?: Transport;
  /** How long a container must stay unhealthy or restarting before it alerts. */
  healthThresholdMs?: number;
  /** The name an alert of environment `id` is told by; undefined for the local one (no prefix). */
  environmentName?: (id: string) => string | undefined;
};

export const DEFAULT_HEALTH_THRESHOLD_MS = 5 * 60_000;
/** The worker looks at the queue at least this often (a delivery due while it slept, a health deadline). */
const MAX_SLEEP_MS = 30_000;

export function createAlerts(deps: AlertsDeps): Alerts {
  const transport = deps.transport ?? realTransport;
  const thresholdMs = deps.healthThresholdMs ?? DEFAULT_HEALTH_THRESHOLD_MS;
  let health: HealthState = emptyHealthState;
  let timer: NodeJS.Timeout | null = null;
  let started = false;
  let running: Promise<number> | null = null;
  let again = false;

  const publish = (event: AlertEvent) => {
    try {
      const environmentName = event.environmentId ? deps.environmentName?.(event.environmentId) : undefined;
      const alert: PublishedAlert = { ...event, ...(environmentName ? { environmentName } : {}), id: randomUUID(), occurredAt: deps.clock.now().toISOString() };
      if (enqueue(deps.db, alert, deps.clock.now()) > 0) wake(0);
    } catch (err) {
      // An alert that cannot even be queued must not fail what published it (an operation's end).
      console.error('[tale-console] Could not queue an alert', err);
    }
  };

  const attempt = async (id: number, channelId: string, n: number, alert: PublishedAlert, retry: boolean): Promise<string | null> => {
    const row = channelRow(deps.db, channelId);
    let error: string | null = null;
    if (!row) error = 'The channel was deleted; not sent.';
    else if (retry && !row.enabled) error = 'The channel is disabled; not sent.';
    else {
      try {
        await transport(toStored(row), alert, { publicUrl: deps.publicUrl, now: deps.clock.now() });
      } catch (err) {
        error = err instanceof AlertDeliveryError ? err.message : 'The delivery failed unexpectedly.';
        if (!(err instanceof AlertDeliveryError)) console.error('[tale-console] alert delivery failed', err);
      }
    }
    const at = deps.clock.now();
    const gone = !row || (retry && !row.enabled);
    recordAttempt(deps.db, id, { n, at, error, next: error && retry && !gone ? nextAttemptAt(n, at) : null });
    return error;
  };

  const drain = async (): Promise<number> => {
    let count = 0;
    for (;;) {
      const due = dueDeliveries(deps.db, deps.clock.now());
      if (!due.length) return count;
      for (const d of due) {
        await attempt(d.id, d.channelId, d.attempts + 1, d.alert, true);
        count++;
      }
    }
  };

  const tickHealth = () => {
    const out = stepHealth(health, { type: 'tick', at: deps.clock.now() }, thresholdMs);
    health = out.state;
    out.events.forEach(publish);
  };

  const runDue = async (): Promise<number> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      try {
        tickHealth();
        do {
          again = false;
          total += await drain();
        } while (again);
      } catch (err) {
        console.error('[tale-console] The alert queue failed', err);
      } finally {
        running = null;
        schedule();
      }
      return total;
    })();
    return running;
  };

  function wake(ms: number) {
    if (!started) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void runDue(), Math.max(0, ms));
    timer.unref();
  }

  function schedule() {
    if (!started) return;
    const now = deps.clock.now().getTime();
    const times = [nextDue(deps.db), nextHealthDeadline(health, thresholdMs)].filter((d): d is Date => d !== null).map((d) => d.getTime() - now);
    wake(Math.min(MAX_SLEEP_MS, ...times));
  }

  return {
    publish,
    observeHealth(change) {
      const out = stepHealth(health, { type: 'change', ...change }, thresholdMs);
      health = out.state;
      out.events.forEach(publish);
      schedule();
    },
    async sendTest(channelId) {
      const row = channelRow(deps.db, channelId);
      if (!row) return { ok: false, error: 'No such channel.', durationMs: 0 };
      const channel = toStored(row);
      const kind = channel.events[0] ?? 'operation.failed';
      const alert: PublishedAlert = { ...testEvent(kind), id: randomUUID(), occurredAt: deps.clock.now().toISOString(), test: true };
      const id = insertTestDelivery(deps.db, channel, alert, deps.clock.now());
      const started = Date.now();
      const error = await attempt(id, channelId, 1, alert, false);
      return { ok: error === null, error, durationMs: Date.now() - started };
    },
    runDue,
    start() {
      if (!started) {
        started = true;
        wake(0);
      }
      return () => {
        started = false;
        if (timer) clearTimeout(timer);
        timer = null;
      };
    },
  };
}

/** A harmless example of the channel's first event, marked `test: true`, for the "Send test" button. */
function testEvent(kind: AlertEvent['kind']): AlertEvent {
  switch (kind) {
    case 'operation.failed':
    case 'operation.succeeded':
    case 'backup.failed':
    case 'drill.failed':
      return { kind, data: { operationId: '00000000-0000-4000-8000-000000000000', operationKind: 'deploy', purpose: 'Test alert from Tale Console', actor: null, error: kind.endsWith('failed') ? { code: 'TEST', message: 'This is a test; nothing failed' } : null, path: '/deployments' } };
    case 'container.unhealthy':
    case 'container.restarting':
      return { kind, data: { service: 'platform', container: null, since: new Date(0).toISOString(), thresholdMinutes: 5, thresholdSeconds: 300 } };
    case 'disk.threshold':
      return { kind, data: { path: '/', usedPercent: 0, thresholdPercent: 90, freeBytes: 0 } };
    case 'memory.threshold':
      return { kind, data: { usedPercent: 0, thresholdPercent: 90, availableBytes: 0 } };
    case 'release.available':
      return { kind, data: { version: '0.0.0-test', current: null } };
    case 'tls.expiring':
      return { kind, data: { domain: 'example.com', expiresAt: new Date(0).toISOString(), daysLeft: 0 } };
  }
}
