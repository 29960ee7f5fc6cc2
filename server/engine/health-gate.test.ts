import { describe, expect, it } from 'vitest';
import { deploy } from './deploy';
import { fakeWorld } from './test-support/fake-ports';

// The health wait says when it starts (with the time it may take) and when it ends: a deploy that
// sits half a minute in the gate must show what it is waiting for.

const waits = (events: { step: string; status: string; data?: Record<string, unknown> }[]) =>
  events.filter((e) => e.step === 'health' && e.status === 'progress' && Array.isArray(e.data?.containers)).map((e) => e.data);

describe('health wait events', () => {
  it('names the containers and the timeout when the wait starts, and how long it took when it ends', async () => {
    const w = fakeWorld();
    w.docker.behaviourFor = () => ({ kind: 'healthy', afterPolls: 4 });
    await deploy(w, { version: '1.0.0', settings: { healthCheckTimeoutSeconds: 120 } });

    const all = waits(w.events.events);
    // One start and one end per wave: db+proxy, convex (stateful), rag+crawler, platform (colour).
    const platform = all.filter((d) => (d?.containers as string[]).includes('acme-platform-blue'));
    expect(platform).toEqual([
      { containers: ['acme-platform-blue'], waiting: true, timeoutSeconds: expect.any(Number) },
      { containers: ['acme-platform-blue'], waiting: false, outcome: 'healthy', afterSeconds: expect.any(Number), timeoutSeconds: platform[0]?.timeoutSeconds },
    ]);
    // The first wave starts with the whole gate ahead of it; later waves get what is left of it.
    expect(all[0]).toMatchObject({ waiting: true, timeoutSeconds: 120 });
    expect((platform[0]?.timeoutSeconds as number) < 120).toBe(true);
    // Each container says after how long it was healthy (the fake clock moves by the poll interval).
    const healthy = w.events.events.find((e) => e.step === 'health' && e.data?.container === 'acme-platform-blue');
    expect(healthy?.data).toMatchObject({ health: 'healthy', afterSeconds: expect.any(Number) });
    expect((healthy?.data?.afterSeconds as number) > 0).toBe(true);
  });

  it('ends a wait that fails with the reason and the time it took', async () => {
    const w = fakeWorld();
    w.docker.behaviourFor = (spec) => (spec.name === 'acme-platform-blue' ? { kind: 'never-healthy' } : { kind: 'healthy', afterPolls: 1 });
    await expect(deploy(w, { version: '1.0.0', settings: { healthCheckTimeoutSeconds: 30 } })).rejects.toThrow(/within \d+ s/);
    const end = waits(w.events.events).at(-1);
    expect(end).toMatchObject({ containers: ['acme-platform-blue'], waiting: false, outcome: 'failed', reason: expect.stringContaining('acme-platform-blue did not become healthy within') });
    expect((end?.afterSeconds as number) >= 1).toBe(true);
  });
});
