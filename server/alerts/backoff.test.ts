import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, nextAttemptAt } from './backoff';

describe('retry backoff', () => {
  it('retries after 30 s, 2 min, 10 min and 1 h, then gives up after the fifth attempt', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const delays = [1, 2, 3, 4, 5].map((n) => nextAttemptAt(n, now)?.getTime() ?? null).map((t) => (t === null ? null : (t - now.getTime()) / 1000));
    expect(delays).toEqual([30, 120, 600, 3600, null]);
    expect(MAX_ATTEMPTS).toBe(5);
    expect(nextAttemptAt(0, now)).toBeNull();
  });
});
