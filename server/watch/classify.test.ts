import { describe, expect, it } from 'vitest';
import { classify, gapOnConnect, identify, reconcile, type WatchedEvent } from './classify';

const P = 'hw-1';
const blue = { 'com.docker.compose.project': `${P}-blue`, 'com.docker.compose.service': 'platform-blue' };
const db = { 'com.docker.compose.project': P, 'com.docker.compose.service': 'db' };
const ev = (o: Partial<WatchedEvent>): WatchedEvent => ({ at: 1000, action: 'die', name: `${P}-platform-blue`, labels: blue, exitCode: null, health: null, signal: null, ...o });

describe('identify', () => {
  it('reads service and colour from compose’s labels, for this project only', () => {
    expect(identify(blue, P)).toEqual({ service: 'platform', color: 'blue' });
    expect(identify(db, P)).toEqual({ service: 'db', color: null });
    expect(identify(blue, 'hw')).toBeNull(); // another project whose id is a prefix
    expect(identify({ 'com.docker.compose.project': P, 'com.docker.compose.service': 'probe' }, P)).toBeNull();
    expect(identify({ project: P }, P)).toBeNull();
  });
});

describe('classify', () => {
  it('records health changes, not the starting state', () => {
    expect(classify(ev({ action: 'health_status', health: 'unhealthy' }), P, null)).toEqual({
      insert: expect.objectContaining({ kind: 'health', state: 'unhealthy', service: 'platform', color: 'blue' }),
    });
    expect(classify(ev({ action: 'health_status', health: 'starting' }), P, null)).toBeNull();
  });

  it('calls a die after SIGKILL a kill, keeping the exit code', () => {
    expect(classify(ev({ action: 'kill', signal: '9' }), P, null)).toEqual({ remember: { container: `${P}-platform-blue`, signal: '9' } });
    expect(classify(ev({ action: 'die', exitCode: 137 }), P, '9')).toEqual({ insert: expect.objectContaining({ kind: 'kill', state: 'down', exitCode: 137, signal: '9' }) });
    expect(classify(ev({ action: 'die', exitCode: 1 }), P, null)).toEqual({ insert: expect.objectContaining({ kind: 'die', exitCode: 1 }) });
  });

  it('turns the die before a stop into a stop, and the start before a restart into a restart', () => {
    expect(classify(ev({ action: 'stop' }), P, null)).toMatchObject({ amend: { kinds: ['die', 'kill'], to: 'stop' } });
    expect(classify(ev({ action: 'restart' }), P, null)).toMatchObject({ amend: { kinds: ['start'], to: 'restart' } });
  });

  it('ignores other projects’ containers', () => {
    expect(classify(ev({ labels: { 'com.docker.compose.project': 'other', 'com.docker.compose.service': 'db' } }), P, null)).toBeNull();
  });
});

describe('reconcile (after a gap)', () => {
  const now = new Date(5000);
  const c = (name: string, running: boolean, health = 'none', exitCode: number | null = null) => ({ name, labels: name.endsWith('db') ? db : blue, running, health, exitCode });

  it('records a container that died while nobody listened as a die with its exit code', () => {
    const rows = reconcile([c(`${P}-platform-blue`, false, 'none', 137)], new Map([[`${P}-platform-blue`, 'up']]), P, now);
    expect(rows).toEqual([expect.objectContaining({ kind: 'die', exitCode: 137, state: 'down', reconciled: true, at: now })]);
  });

  it('records nothing for a container whose state did not change, and `seen` for a new one', () => {
    expect(reconcile([c(`${P}-db`, true, 'healthy')], new Map([[`${P}-db`, 'up']]), P, now)).toEqual([]);
    expect(reconcile([c(`${P}-db`, true, 'unhealthy')], new Map(), P, now)).toEqual([expect.objectContaining({ kind: 'seen', state: 'unhealthy' })]);
  });

  it('records a recovery as a start', () => {
    expect(reconcile([c(`${P}-db`, true, 'healthy')], new Map([[`${P}-db`, 'down']]), P, now)).toEqual([expect.objectContaining({ kind: 'start', state: 'up' })]);
  });
});

describe('gapOnConnect', () => {
  it('spans from the last heartbeat to now, and is none on a first start', () => {
    expect(gapOnConnect(new Date(1000), new Date(9000))).toMatchObject({ kind: 'gap', at: new Date(1000), until: new Date(9000) });
    expect(gapOnConnect(null, new Date(9000))).toBeNull();
  });
});
