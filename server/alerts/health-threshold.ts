import type { AlertEvent } from './events';

// "Unhealthy (or restarting) for longer than N minutes" from a stream of health changes. Docker
// flips a container to unhealthy after a few failed probes, and a deploy's new colour starts
// unhealthy-then-healthy as a matter of course: an alert on every flip would cry wolf, so a
// condition alerts only once it has lasted the threshold without a recovery in between, and once
// per episode. Pure: the caller feeds changes and clock ticks and publishes what comes out.

export type HealthCondition = 'unhealthy' | 'restarting' | 'ok';

export type HealthInput =
  | { type: 'change'; service: string; container?: string | null; condition: HealthCondition; at: Date; environmentId?: string }
  | { type: 'tick'; at: Date };

type Episode = { service: string; environmentId?: string; condition: Exclude<HealthCondition, 'ok'>; container: string | null; since: Date; alerted: boolean };

// One episode per environment and service: two environments' `platform` are two containers.
const keyOf = (service: string, environmentId?: string) => (environmentId ? `${environmentId}\u0000${service}` : service);
export type HealthState = ReadonlyMap<string, Episode>;

export const emptyHealthState: HealthState = new Map();

export function stepHealth(state: HealthState, input: HealthInput, thresholdMs: number): { state: HealthState; events: AlertEvent[] } {
  const next = new Map(state);
  if (input.type === 'change') {
    const key = keyOf(input.service, input.environmentId);
    const current = next.get(key);
    if (input.condition === 'ok') next.delete(key);
    // The same condition again (a repeated report) keeps its start: the episode goes on.
    else if (current?.condition !== input.condition) next.set(key, { service: input.service, ...(input.environmentId ? { environmentId: input.environmentId } : {}), condition: input.condition, container: input.container ?? null, since: input.at, alerted: false });
  }
  const events: AlertEvent[] = [];
  for (const [key, episode] of next) {
    if (episode.alerted || input.at.getTime() - episode.since.getTime() < thresholdMs) continue;
    next.set(key, { ...episode, alerted: true });
    const { service } = episode;
    events.push({
      kind: episode.condition === 'unhealthy' ? 'container.unhealthy' : 'container.restarting',
      ...(episode.environmentId ? { environmentId: episode.environmentId } : {}),
      data: { service, container: episode.container, since: episode.since.toISOString(), thresholdMinutes: Math.round(thresholdMs / 60_000), thresholdSeconds: Math.round(thresholdMs / 1000) },
    });
  }
  return { state: next, events };
}

/** The earliest moment a tick could produce an alert, or null when nothing is waiting. */
export function nextHealthDeadline(state: HealthState, thresholdMs: number): Date | null {
  let min: number | null = null;
  for (const e of state.values()) if (!e.alerted) min = Math.min(min ?? Infinity, e.since.getTime() + thresholdMs);
  return min === null ? null : new Date(min);
}
