import type { Db } from '../db/client';
import { reconcile } from '../engine/reconcile';
import type { EnginePorts } from '../engine/ports';
import type { DeploymentLock } from '../project/state-files';
import { isLockHolderAlive, type LockSelf } from '../project/lock-liveness';
import type { Operations } from './runner';
import type { OperationRow } from '../db/schema/operations';
import { listOperations, runningOperation } from './operation-store';

// Recovery of a remote environment (docs/environments.md#a-host-that-goes-away). Its operations can
// be cut off two ways: the console stopped (bootstrap marks them interrupted, as every
// environment's), or the host went away mid-operation (the operation fails with a transport code).
// Either way the stack there may hold a half-started target colour and our deployment lock, so the
// environment is reconciled as an operation of its own: when its runtime is first built, and again
// when its health watch reconnects (the host is back). A reconcile that itself lost the host counts
// as cut off too, so the next reconnect tries again; one that ran ends the matter.

/** The error codes of an operation that ended because the host went away, not because of what it did. */
export const CUT_OFF_CODES: ReadonlySet<string> = new Set(['INTERRUPTED', 'CONNECTION_LOST', 'HOST_UNREACHABLE', 'DOCKER_UNAVAILABLE']);

/** The environment's newest operation when it was cut off (see CUT_OFF_CODES), else null. */
export function cutOffOperation(db: Db, environmentId: string): OperationRow | null {
  const [last] = listOperations(db, environmentId, 1);
  if (!last) return null;
  if (last.status === 'interrupted') return last;
  return last.status === 'failed' && CUT_OFF_CODES.has(last.errorCode ?? '') ? last : null;
}

export type RecoveryTrigger = 'runtime-built' | 'host-back';

type RecoveryRuntime = { db: Db; environment: { id: string; name: string }; operations: Operations; ports(): EnginePorts };

/**
 * Starts a reconcile of `rt`'s environment when its newest operation was cut off; answers the
 * reconcile's operation id, or null (nothing to recover, or another operation runs: it holds the
 * lease, and the next trigger looks again). The reconcile's first event says why it runs.
 */
export function recoverCutOff(rt: RecoveryRuntime, trigger: RecoveryTrigger, log: (m: string) => void = (m) => console.log(`[tale-console] ${m}`)): string | null {
  const cut = cutOffOperation(rt.db, rt.environment.id);
  if (!cut) return null;
  const because = trigger === 'host-back' ? 'the host answers again' : 'the console connected to the environment';
  const message = `${rt.environment.name}: ${cut.kind} ${cut.id} was cut off (${cut.errorCode ?? cut.status}); ${because}, so the stack is reconciled.`;
  const op = rt.operations.start({ kind: 'reconcile', params: { interrupted: [cut.id], trigger }, actor: null }, (ports) => {
    ports.events.emit({ step: 'reconcile', status: 'progress', data: { recovering: cut.id, cause: cut.errorCode ?? cut.status, trigger, message } });
    return reconcile(ports);
  });
  if ('busy' in op) {
    log(`${rt.environment.name}: recovery after ${cut.kind} ${cut.id} waits: ${op.busy} is running.`);
    return null;
  }
  log(`${message} (operation ${op.id})`);
  return op.id;
}

/**
 * The lock liveness of a remote environment. A lock this very process wrote there (our hostname,
 * boot id and pid) would count alive for as long as we run (lock-liveness.ts), so one left behind
 * by an operation that lost the host would block the environment until a restart. Ours is alive
 * only while the environment's running operation is the one that took it: taken at or after that
 * operation began. Any other lock is judged as everywhere.
 */
export function remoteLockAlive(db: Db, environmentId: string, self: LockSelf): (holder: DeploymentLock) => boolean {
  return (holder) => {
    const ours = holder.hostname === self.hostname && holder.bootId === self.bootId && holder.pid === self.pid;
    if (!ours) return isLockHolderAlive(holder, self);
    const running = runningOperation(db, environmentId);
    const taken = Date.parse(holder.startedAt);
    return running !== undefined && !Number.isNaN(taken) && taken >= running.createdAt.getTime();
  };
}
