import { describe, expect, it } from 'vitest';
import { isLockHolderAlive, type LockSelf } from './lock-liveness';

const self = (over: Partial<LockSelf> = {}): LockSelf => ({
  pid: 1,
  hostname: 'console-abc',
  bootId: 'boot-1',
  startedAtMs: Date.parse('2026-01-02T00:00:00Z'),
  inContainer: true,
  probe: (pid) => pid === 55,
  ...over,
});
const lock = (over: Record<string, unknown> = {}) => ({ pid: 1, startedAt: '2026-01-01T00:00:00Z', command: 'deploy 1.0.0', ...over });

describe('isLockHolderAlive', () => {
  it('a console lock with our own pid from before this process started is a dead predecessor (pid 1 again)', () => {
    expect(isLockHolderAlive(lock({ hostname: 'console-abc', bootId: 'boot-1' }), self())).toBe(false);
    expect(isLockHolderAlive(lock({ hostname: 'console-abc', bootId: 'boot-1', startedAt: '2026-01-03T00:00:00Z' }), self())).toBe(true);
  });

  it('probes another pid of the same host and boot', () => {
    expect(isLockHolderAlive(lock({ pid: 55, hostname: 'console-abc', bootId: 'boot-1' }), self())).toBe(true);
    expect(isLockHolderAlive(lock({ pid: 56, hostname: 'console-abc', bootId: 'boot-1' }), self())).toBe(false);
  });

  it('a lock from before a reboot is dead; one from another host counts as alive', () => {
    expect(isLockHolderAlive(lock({ pid: 55, hostname: 'console-abc', bootId: 'boot-0' }), self())).toBe(false);
    expect(isLockHolderAlive(lock({ pid: 56, hostname: 'other', bootId: 'boot-1' }), self())).toBe(true);
  });

  it("the CLI's lock (no hostname) is probed on the host and counts as alive from inside a container", () => {
    expect(isLockHolderAlive(lock({ pid: 56 }), self())).toBe(true);
    expect(isLockHolderAlive(lock({ pid: 56 }), self({ inContainer: false }))).toBe(false);
    expect(isLockHolderAlive(lock({ pid: 55 }), self({ inContainer: false }))).toBe(true);
  });
});
