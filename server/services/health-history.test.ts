import { afterEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import { callerOf, fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { insertIncident, insertSamples, writeHeartbeat } from '../watch/store';
import { healthHistory } from './health-history';

const viewer = callerOf({ id: 'u-v', email: 'viewer@example.com', name: 'v', role: 'viewer' } satisfies SessionUser);
let f: FakeRuntime;
afterEach(() => f.dispose());

describe('healthHistory', () => {
  it('answers uptime per seen service, CPU and memory per service, and the incidents without first looks', () => {
    f = fakeRuntime();
    const now = f.rt.clock.now().getTime();
    const at = (msAgo: number) => new Date(now - msAgo);
    const H = 3_600_000;
    const base = { container: 'hw-platform-blue', service: 'platform' as const, color: 'blue' as const };
    insertIncident(f.rt.db, 'local', { ...base, at: at(30 * H), kind: 'seen', state: 'up' });
    insertIncident(f.rt.db, 'local', { ...base, at: at(2 * H), kind: 'kill', state: 'down', exitCode: 137, signal: '9' });
    insertIncident(f.rt.db, 'local', { ...base, at: at(1 * H), kind: 'start', state: 'up' });
    insertSamples(f.rt.db, 'local', at(30 * 60_000), [{ ...base, cpuPercent: 40, memoryBytes: 2000 }]);
    writeHeartbeat(f.rt.db, 'local', f.rt.clock.now());

    const h = healthHistory(f.rt, viewer, { range: '24h' });
    expect(h.incidents.map((i) => [i.kind, i.exitCode])).toEqual([
      ['start', null],
      ['kill', 137],
    ]);
    expect(h.uptime.services.map((s) => s.service)).toEqual(['platform']);
    const platform = h.uptime.services[0]!;
    expect(platform.buckets).toHaveLength(48);
    const down = platform.buckets.reduce((n, b) => n + b.down, 0);
    expect(down).toBe(H); // killed two hours ago, started one hour ago
    expect(platform.uptimePercent).toBeCloseTo(((23 * H) / (24 * H)) * 100, 0);
    const withCpu = h.series.points.filter((p) => p.cpu.platform !== null);
    expect(withCpu).toHaveLength(1);
    expect(withCpu[0]!.memory.platform).toBe(2000);
    expect(h.watcher).toEqual({ enabled: false, listening: false, lastHeartbeat: f.rt.clock.now().toISOString() });
  });

  it('refuses a range it does not know and a caller without a role', () => {
    f = fakeRuntime();
    expect(() => healthHistory(f.rt, viewer, { range: '2y' })).toThrow(/Invalid option|expected one of/i);
    expect(() => healthHistory(f.rt, callerOf(null), {})).toThrow();
  });
});
