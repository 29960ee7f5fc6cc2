import 'server-only';
import { needsReconcile, planReconcile, reconcile } from '../engine/reconcile';
import type { EnginePorts } from '../engine/ports';
import type { Operations } from './runner';

/** Docker or the deployment directory not answering must not hold the console's start. */
const PLAN_TIMEOUT_MS = 15_000;

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
    timer.unref();
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

/**
 * After start-up, in the background: if an operation was cut off (`interrupted`), or Docker and
 * the state files disagree with the engine's invariants, reconcile the stack as an operation of
 * its own, so it shows in the history with every step. It never touches what serves the site
 * (see server/engine/reconcile.ts) and holds the operation lease like any deploy, so a deploy
 * asked for meanwhile is refused as "in progress" rather than racing it.
 */
export async function reconcileAtStart(rt: { operations: Operations; ports(): EnginePorts }, interrupted: string[]): Promise<void> {
  // An operation cut off by the last shutdown always calls for a reconcile, so it starts at once:
  // behind the check below, a Docker too busy to answer in 15 s meant it never ran at all (seen in
  // CI). As an operation it may take as long as Docker needs, and a failure shows in the history.
  if (interrupted.length === 0) {
    try {
      const plan = await within(planReconcile(rt.ports()), PLAN_TIMEOUT_MS);
      if (!needsReconcile(plan)) return;
    } catch (err) {
      // No deployment yet (no tale.json), or Docker is down: nothing to reconcile now.
      console.log(`[tale-console] Start-up check of the stack skipped: ${(err as Error).message}`);
      return;
    }
  }
  const op = rt.operations.start({ kind: 'reconcile', params: { interrupted }, actor: null }, (ports) => reconcile(ports));
  if ('busy' in op) console.log(`[tale-console] Start-up reconciliation skipped: another operation is running (${op.busy}).`);
  else console.log(`[tale-console] Reconciling the stack after the last shutdown (operation ${op.id}).`);
}
