import { describe, expect, it } from 'vitest';
import { uptimeBuckets, uptimePercent, type StatePoint } from './uptime';

const p = (at: number, container: string, state: StatePoint['state']): StatePoint => ({ at, container, service: 'platform', state });

describe('uptimeBuckets', () => {
  it('splits the time between states, starting from the state before the range', () => {
    const b = uptimeBuckets([p(-50, 'blue', 'up'), p(30, 'blue', 'unhealthy'), p(60, 'blue', 'down')], [], 0, 100, 50);
    expect(b).toEqual([
      { start: 0, up: 30, unhealthy: 20, down: 0, unknown: 0 },
      { start: 50, up: 0, unhealthy: 10, down: 40, unknown: 0 },
    ]);
    expect(uptimePercent(b)).toBe(30);
  });

  it('keeps the service up across a blue-green switch (best container wins)', () => {
    const b = uptimeBuckets([p(-1, 'blue', 'up'), p(40, 'green', 'up'), p(50, 'blue', 'down')], [], 0, 100, 100);
    expect(b[0]).toMatchObject({ up: 100, down: 0 });
  });

  it('counts a gap and the time before anything was seen as unknown, not down', () => {
    const b = uptimeBuckets([p(20, 'blue', 'up')], [{ from: 50, to: 70 }], 0, 100, 100);
    expect(b[0]).toMatchObject({ unknown: 40, up: 60 });
    expect(uptimePercent(b)).toBe(100);
    expect(uptimePercent(uptimeBuckets([], [], 0, 10, 10))).toBeNull();
  });
});
