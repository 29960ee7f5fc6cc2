import { describe, expect, it } from 'vitest';
import { axisTime, logsAtIncident } from './health-links';

const incident = { id: 1, at: '2026-12-03T10:00:00.000Z', until: null, kind: 'kill' as const, container: 'p-platform-blue', service: 'platform', color: 'blue' as const, state: 'down' as const, exitCode: 137, health: null, signal: '9', reconciled: false };

describe('logsAtIncident', () => {
  it('opens the container’s logs from a minute before to two after', () => {
    const url = new URL(logsAtIncident(incident)!, 'http://x');
    expect(url.pathname).toBe('/logs');
    expect(Object.fromEntries(url.searchParams)).toEqual({ service: 'platform', color: 'blue', since: '2026-12-03T09:59:00.000Z', until: '2026-12-03T10:02:00.000Z' });
    expect(logsAtIncident({ ...incident, kind: 'gap', service: null, container: null })).toBeNull();
  });

  it('prints axis times in UTC', () => {
    expect(axisTime('2026-12-03T10:05:00.000Z', false)).toBe('10:05');
    expect(axisTime('2026-12-03T10:05:00.000Z', true)).toBe('12-03 10:05');
  });
});
