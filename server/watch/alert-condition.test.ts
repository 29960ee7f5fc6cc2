import { describe, expect, it } from 'vitest';
import type { HealthIncidentDto } from '@/lib/dto/health';
import { alertCondition } from './alert-condition';

const i = (o: Partial<HealthIncidentDto>): HealthIncidentDto => ({ id: 1, at: '2026-01-01T00:00:00.000Z', until: null, kind: 'health', container: 'c', service: 'platform', color: 'blue', state: 'up', exitCode: null, health: null, signal: null, reconciled: false, ...o });

describe('alertCondition', () => {
  it('maps incidents to the alerts’ health conditions', () => {
    expect(alertCondition(i({ kind: 'health', state: 'unhealthy' }))).toBe('unhealthy');
    expect(alertCondition(i({ kind: 'health', state: 'up' }))).toBe('ok');
    expect(alertCondition(i({ kind: 'kill', state: 'down' }))).toBe('restarting');
    expect(alertCondition(i({ kind: 'restart' }))).toBe('restarting');
    expect(alertCondition(i({ kind: 'stop', state: 'down' }))).toBe('ok');
    // A restart loop is die, start, die, start: a start alone does not end the episode.
    expect(alertCondition(i({ kind: 'start', state: 'up' }))).toBeNull();
    expect(alertCondition(i({ kind: 'start', state: 'up', health: 'healthy', reconciled: true }))).toBe('ok');
    expect(alertCondition(i({ kind: 'gap', service: null, container: null }))).toBeNull();
  });
});
