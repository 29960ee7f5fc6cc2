import { afterEach, describe, expect, it } from 'vitest';
import type { ContainerStats } from '../docker/container-stats';
import { deploy } from '../engine/deploy';
import { fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { containerStats, liveOverview } from './overview';

// The overview's status never waits for Docker's stats (a second or two each): it carries the
// readings a recent stats poll brought, and the stats poll is a call of its own.

let f: FakeRuntime;
afterEach(() => f.dispose());

const reading: ContainerStats = { cpuPercent: 1.5, memoryBytes: 10_485_760, memoryLimitBytes: null };

function withStats(): { asked: string[] } {
  const asked: string[] = [];
  f = fakeRuntime({ stats: { stats: async (name) => (asked.push(name), reading) } });
  return { asked };
}

describe('the overview and its stats', () => {
  it('answers the status without asking for stats, then carries what the stats poll read', async () => {
    const { asked } = withStats();
    await deploy(f.rt.ports(), { version: '1.0.0' });

    const first = await liveOverview(f.rt);
    expect(asked).toEqual([]);
    expect(first.stats).toEqual({});
    expect(first.status.containers.filter((c) => c.status !== 'not deployed').length).toBeGreaterThan(0);
    expect(first.checkedAt).toBe(f.world.clock.now().toISOString());

    const fresh = await containerStats(f.rt);
    expect(asked.length).toBeGreaterThan(0);
    expect(Object.keys(fresh.stats).sort()).toEqual([...asked].sort());

    const next = await liveOverview(f.rt);
    expect(next.stats).toEqual(fresh.stats);
    expect(asked.length).toBe(Object.keys(fresh.stats).length);
  });

  it('stops carrying a reading once it is 30 s old', async () => {
    withStats();
    await deploy(f.rt.ports(), { version: '1.0.0' });
    await containerStats(f.rt);
    await f.world.clock.sleep(31_000);
    expect((await liveOverview(f.rt)).stats).toEqual({});
  });
});
