import { describe, expect, it } from 'vitest';
import { emptyHealthState, nextHealthDeadline, stepHealth, type HealthInput, type HealthState } from './health-threshold';
import type { AlertEvent } from './events';

const MIN = 60_000;
const t0 = Date.parse('2026-01-01T00:00:00Z');
const at = (minutes: number) => new Date(t0 + minutes * MIN);

/** Feeds the inputs in order with a 5-minute threshold; answers every event with the minute it came out at. */
function run(inputs: HealthInput[]): { minute: number; event: AlertEvent }[] {
  let state: HealthState = emptyHealthState;
  const out: { minute: number; event: AlertEvent }[] = [];
  for (const input of inputs) {
    const r = stepHealth(state, input, 5 * MIN);
    state = r.state;
    for (const event of r.events) out.push({ minute: (input.at.getTime() - t0) / MIN, event });
  }
  return out;
}

const change = (minute: number, condition: 'unhealthy' | 'restarting' | 'ok', service = 'platform'): HealthInput => ({ type: 'change', service, condition, at: at(minute) });
const tick = (minute: number): HealthInput => ({ type: 'tick', at: at(minute) });

describe('unhealthy or restarting for longer than the threshold', () => {
  it('alerts once, when the condition has lasted the threshold', () => {
    const out = run([change(0, 'unhealthy'), tick(4), tick(5), tick(6), tick(30)]);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ minute: 5, event: { kind: 'container.unhealthy', data: { service: 'platform', since: at(0).toISOString(), thresholdMinutes: 5, thresholdSeconds: 300 } } });
  });

  it('does not alert when it recovers within the threshold (a deploy’s new colour starting)', () => {
    expect(run([change(0, 'unhealthy'), tick(3), change(4, 'ok'), tick(10)])).toEqual([]);
  });

  it('a repeated report keeps the episode’s start; a recovery starts a new episode that alerts again', () => {
    const out = run([change(0, 'restarting'), change(3, 'restarting'), tick(5), change(6, 'ok'), change(7, 'restarting'), tick(11), tick(12)]);
    expect(out.map((o) => [o.minute, o.event.kind])).toEqual([
      [5, 'container.restarting'],
      [12, 'container.restarting'],
    ]);
  });

  it('keeps services apart and says when the next one could alert', () => {
    let state: HealthState = emptyHealthState;
    state = stepHealth(state, change(0, 'unhealthy', 'rag'), 5 * MIN).state;
    state = stepHealth(state, change(2, 'restarting', 'crawler'), 5 * MIN).state;
    expect(nextHealthDeadline(state, 5 * MIN)).toEqual(at(5));
    const r = stepHealth(state, tick(5), 5 * MIN);
    expect(r.events.map((e) => e.data)).toMatchObject([{ service: 'rag' }]);
    expect(nextHealthDeadline(r.state, 5 * MIN)).toEqual(at(7));
  });

  it("keeps two environments' services of one name apart and names the environment in the event", () => {
    let state: HealthState = emptyHealthState;
    state = stepHealth(state, { type: 'change', service: 'rag', condition: 'unhealthy', at: at(0), environmentId: 'staging' }, 5 * MIN).state;
    state = stepHealth(state, { type: 'change', service: 'rag', condition: 'ok', at: at(1) }, 5 * MIN).state; // the local rag recovers
    const r = stepHealth(state, tick(5), 5 * MIN);
    expect(r.events).toMatchObject([{ kind: 'container.unhealthy', environmentId: 'staging', data: { service: 'rag' } }]);
  });
});
