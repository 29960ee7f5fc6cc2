import { planDeploy, planRollback } from './deploy-plan';
import { failureData, underLock } from './deployment-lock';
import { executePlan, type ExecuteResult } from './execute-plan';
import type { DeployPlan, PlanOptions } from './plan-types';
import type { EnginePorts } from './ports';
import { recordRelease } from './release-record';

export interface DeployOptions extends PlanOptions {
  signal?: AbortSignal;
  /**
   * Runs once the plan is made and before its first change, under the same deployment lock (the
   * backup gate's pre-upgrade backup, server/services/backup-gate.ts): when it throws, nothing has
   * been changed and the deploy fails with its error.
   */
  beforeChanges?: (plan: DeployPlan) => Promise<void>;
  /** What the background pre-pull fetched (ExecuteOptions.prePulled). */
  prePulled?: ReadonlyMap<string, string>;
  /**
   * The caller already holds the deployment lock (a restore deploying its backup's release): the
   * lock is not re-entrant, and nothing may come in between the restore and this deploy.
   */
  lockHeld?: boolean;
}

export interface DeployResult extends ExecuteResult {
  plan: DeployPlan;
}

async function planAndRun(ports: EnginePorts, plan: () => Promise<DeployPlan>, options: DeployOptions): Promise<DeployResult> {
  let thePlan: DeployPlan;
  try {
    thePlan = await plan();
  } catch (err) {
    // Nothing has changed yet: resolving the version or reading the project failed.
    ports.events.emit({ step: 'plan', status: 'failed', data: failureData(err) });
    throw err;
  }
  ports.events.emit({
    step: 'plan',
    status: 'succeeded',
    data: { version: thePlan.version, from: thePlan.activeColor, to: thePlan.targetColor, steps: thePlan.steps, warnings: thePlan.warnings },
  });
  await options.beforeChanges?.(thePlan);
  const result = await executePlan(ports, thePlan, { signal: options.signal, prePulled: options.prePulled });
  const warning = await recordRelease(ports, thePlan);
  if (warning) result.warnings.push(warning);
  ports.events.emit({ step: 'done', status: 'succeeded', data: { version: result.version, color: result.color, warnings: result.warnings } });
  return { ...result, plan: thePlan };
}

/**
 * Blue-green deploy of `version` (default: the newest release) under the deployment lock; with
 * `services`, an in-place update of just those services in the live colour (see update-plan.ts).
 */
export function deploy(ports: EnginePorts, options: DeployOptions = {}): Promise<DeployResult> {
  const services = options.services ? ` --services ${options.services.join(',')}` : '';
  const run = () => planAndRun(ports, () => planDeploy(ports, options), options);
  return options.lockHeld ? run() : underLock(ports, `deploy ${options.version ?? 'latest'}${services}`, run);
}

/** Blue-green rollback to the recorded previous version, or `options.version`. */
export function rollback(ports: EnginePorts, options: Omit<DeployOptions, 'all' | 'services'> = {}): Promise<DeployResult> {
  return underLock(ports, 'rollback', () => planAndRun(ports, () => planRollback(ports, options), options));
}
