import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempDb, type TempDb } from '../db/test-support/temp-db';
import type { EnginePorts } from '../engine/ports';
import type { LockSelf } from '../project/lock-liveness';
import { cutOffOperation, recoverCutOff, remoteLockAlive } from './environment-recovery';
import { finishOperation, insertOperation } from './operation-store';
import type { Operations } from './runner';

let temp: TempDb;
beforeEach(() => {
  temp = openTempDb('tc-recovery-');
});
afterEach(() => temp.dispose());

const ENV = 'staging';
function ran(kind: 'deploy' | 'reconcile', outcome: Parameters<typeof finishOperation>[2] | null, env = ENV) {
  const op = insertOperation(temp.db, { kind, params: {}, actor: null }, env);
  if ('busy' in op) throw new Error('refused');
  if (outcome) finishOperation(temp.db, op.id, outcome);
  return op;
}
const lost = { status: 'failed' as const, error: { code: 'CONNECTION_LOST', message: 'The SSH connection to 127.0.0.1:2222 was lost.' } };

describe('cutOffOperation', () => {
  it("answers the environment's newest operation when the host went away or the console stopped, else null", () => {
    expect(cutOffOperation(temp.db, ENV)).toBeNull();
    const deploy = ran('deploy', lost);
    ran('deploy', { status: 'failed', error: { code: 'CONTAINER_UNHEALTHY', message: 'x' } }, 'local');
    expect(cutOffOperation(temp.db, ENV)?.id).toBe(deploy.id);
    // A failure of the release itself is not the host's doing: nothing to recover.
    ran('deploy', { status: 'failed', error: { code: 'CONTAINER_UNHEALTHY', message: 'x' } });
    expect(cutOffOperation(temp.db, ENV)).toBeNull();
    const reconcile = ran('reconcile', { status: 'interrupted', error: { code: 'INTERRUPTED', message: 'x' } });
    expect(cutOffOperation(temp.db, ENV)?.id).toBe(reconcile.id);
    ran('reconcile', { status: 'succeeded', result: {} });
    expect(cutOffOperation(temp.db, ENV)).toBeNull();
  });
});

describe('recoverCutOff', () => {
  const rtWith = (started: Array<{ params: Record<string, unknown> }>, busy = false) => ({
    db: temp.db,
    environment: { id: ENV, name: 'staging' },
    ports: () => ({}) as EnginePorts,
    operations: {
      start: (input: { params: Record<string, unknown> }) => (busy ? { busy: 'deploy' } : (started.push(input), { id: 'rec-1' })),
    } as unknown as Operations,
  });

  it('starts one reconcile naming the cut-off operation and the trigger, and none when nothing was cut off', () => {
    const started: Array<{ params: Record<string, unknown> }> = [];
    const logs: string[] = [];
    expect(recoverCutOff(rtWith(started), 'runtime-built', (m) => logs.push(m))).toBeNull();
    const deploy = ran('deploy', lost);
    expect(recoverCutOff(rtWith(started), 'host-back', (m) => logs.push(m))).toBe('rec-1');
    expect(started).toEqual([{ kind: 'reconcile', params: { interrupted: [deploy.id], trigger: 'host-back' }, actor: null }]);
    expect(logs.at(-1)).toMatch(/staging: deploy \S+ was cut off \(CONNECTION_LOST\); the host answers again/);
    expect(recoverCutOff(rtWith([], true), 'host-back', (m) => logs.push(m))).toBeNull();
    expect(logs.at(-1)).toMatch(/waits: deploy is running/);
  });
});

describe('remoteLockAlive', () => {
  const self: LockSelf = { pid: 4242, hostname: 'console', bootId: 'boot-1', startedAtMs: Date.now() - 3_600_000, inContainer: true, probe: () => true };
  const ours = (startedAt: Date) => ({ pid: 4242, hostname: 'console', bootId: 'boot-1', startedAt: startedAt.toISOString(), command: 'deploy 1.0.0' });

  it('counts our own lock dead once the operation that took it ended, and alive while it runs', () => {
    const alive = remoteLockAlive(temp.db, ENV, self);
    const before = new Date(Date.now() - 60_000);
    // Left by a deploy that lost the host: no operation runs now.
    expect(alive(ours(before))).toBe(false);
    // The recovery runs: the old lock is still dead, the one it takes is alive.
    ran('reconcile', null);
    expect(alive(ours(before))).toBe(false);
    expect(alive(ours(new Date(Date.now() + 1000)))).toBe(true);
    // Another console's lock and a CLI lock are judged as before: alive (an operator clears them).
    expect(alive({ ...ours(before), hostname: 'other-console' })).toBe(true);
    expect(alive({ pid: 99, startedAt: before.toISOString(), command: 'deploy' })).toBe(true);
  });
});
