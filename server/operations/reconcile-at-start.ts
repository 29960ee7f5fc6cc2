import 'server-only';
import { needsReconcile, planReconcile, reconcile } from '../engine/reconcile';
import { createEnginePorts } from '../runtime';
import { startOperation } from './runner';

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
export async function reconcileAtStart(interrupted: string[]): Promise<void> {
  let needed: boolean;
  try {
    const plan = await within(planReconcile(createEnginePorts({ emit: () => {} })), PLAN_TIMEOUT_MS);
    needed = needsReconcile(plan) || interrupted.length > 0;
  } catch (err) {
    // No deployment yet (no tale.json), or Docker is down: nothing to reconcile now.
    console.log(`[tale-console] Start-up check of the stack skipped: ${(err as Error).message}`);
    return;
  }
  if (!needed) return;
  const op = startOperation({ kind: 'reconcile', mutating: true, params: { interrupted }, actor: null }, (ports) => reconcile(ports));
  if (op === 'busy') console.log('[tale-console] Start-up reconciliation skipped: another operation is running.');
  else console.log(`[tale-console] Reconciling the stack after the last shutdown (operation ${op.id}).`);
}
