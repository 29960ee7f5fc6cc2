// When a failed delivery is tried again (docs/alerts.md#retries): after 30 s, 2 min, 10 min and
// 1 h, then it is given up, five attempts in all. Short first, so a receiver that restarts misses
// nothing for long; long last, so a channel that is down for hours is not hammered.

export const RETRY_DELAYS_MS = [30_000, 120_000, 600_000, 3_600_000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/** When to try again after `attempts` failed attempts, or null when that was the last. */
export function nextAttemptAt(attempts: number, now: Date): Date | null {
  const delay = attempts >= 1 ? RETRY_DELAYS_MS[attempts - 1] : undefined;
  return delay === undefined ? null : new Date(now.getTime() + delay);
}
