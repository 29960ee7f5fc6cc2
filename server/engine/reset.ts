import { CATALOG } from '@/server/stack/service-catalog';
import { containerName, statefulProject } from '@/server/stack/stack-names';
import { networkSpec, volumeSpecs } from '@/server/stack/generate-stack';
import type { StatefulService } from '@/server/stack/types';
import { colorContainerNames } from './active-color';
import { underLock } from './deployment-lock';
import { EngineError } from './engine-error';
import { RETIRE_ORDER } from './plan-steps';
import type { ResetPlan, ResetStep } from './plan-types';
import type { EnginePorts } from './ports';

export interface ResetOptions {
  /** Also remove db, proxy and convex (the CLI's `reset --all`). */
  all?: boolean;
  /** Also remove the project's named volumes: every database row and upload. Needs `all`. */
  volumes?: boolean;
}

export interface ResetResult {
  removed: string[];
  volumesRemoved: string[];
  networkRemoved: boolean;
  warnings: string[];
}

// The proxy first so nothing new arrives, db last because convex writes to it until it stops.
const STATEFUL_REMOVAL_ORDER: StatefulService[] = ['proxy', 'convex', 'db'];

/**
 * The ordered steps of a reset; reads Docker and the project, changes nothing. Without `all` the
 * stateful services, their network and every volume stay (the CLI's reset, docs/tale-cli.md#reset). Volumes go only
 * with the separate `volumes` flag on top of `all`: a volume still mounted by a running db cannot
 * be removed, and losing data must never be a side effect of another option.
 */
export async function planReset(ports: EnginePorts, options: ResetOptions = {}): Promise<ResetPlan> {
  const { docker, project } = ports;
  const all = options.all === true;
  const volumes = options.volumes === true;
  if (volumes && !all) {
    throw new EngineError('INVALID_OPTIONS', 'Removing volumes needs "all" as well: db, proxy and convex still use them');
  }
  const projectId = await project.readProjectId();
  const steps: ResetStep[] = [];
  const planned = new Set<string>();
  const remove = (container: string, reason: string, stopGraceSeconds: number | null) => {
    if (planned.has(container)) return;
    planned.add(container);
    steps.push({ phase: 'reset', action: 'remove', container, reason, stopGraceSeconds });
  };

  // Both colours, by name and by compose label (leftovers, in-place replacements, CLI runs). Like
  // the CLI's `rm -f`: a reset takes the site down on purpose, a drain would only delay it.
  for (const color of ['blue', 'green'] as const) {
    const byName = RETIRE_ORDER.map((service) => containerName(projectId, service, color));
    for (const name of await colorContainerNames(docker, projectId, color, byName)) {
      if (!byName.includes(name) || (await docker.inspectContainer(name))) remove(name, `${color} colour`, null);
    }
  }
  if (all) {
    for (const service of STATEFUL_REMOVAL_ORDER) {
      const name = containerName(projectId, service, null);
      const details = await docker.inspectContainer(name);
      // A graceful stop: Postgres killed mid-write would replay its WAL on the next start.
      if (details) remove(name, 'stateful (all)', details.running ? CATALOG[service].stopGracePeriodSeconds : null);
    }
    for (const c of await docker.listContainers({ 'com.docker.compose.project': statefulProject(projectId) })) {
      remove(c.name, 'stateful (all)', c.state === 'running' ? CATALOG.db.stopGracePeriodSeconds : null);
    }
  }
  // Nothing runs any more, so no colour is live and there is nothing to roll back to.
  steps.push({ phase: 'reset', action: 'clear-state' });
  if (all) steps.push({ phase: 'reset', action: 'remove-network', network: networkSpec(projectId).name });
  if (volumes) steps.push({ phase: 'reset', action: 'remove-volumes', volumes: volumeSpecs(projectId).map((v) => v.name) });
  return { kind: 'reset', projectId, all, volumes, steps, warnings: [] };
}

/** Removes the stack's containers (and with `all`/`volumes` more) under the deployment lock. */
export function reset(ports: EnginePorts, options: ResetOptions = {}): Promise<ResetResult> {
  const { docker, project, events } = ports;
  return underLock(ports, options.all ? 'reset --all' : 'reset', async () => {
    const plan = await planReset(ports, options);
    events.emit({ step: 'plan', status: 'succeeded', data: { kind: 'reset', steps: plan.steps } });
    events.emit({ step: 'reset', status: 'started', data: { all: plan.all, volumes: plan.volumes } });
    const result: ResetResult = { removed: [], volumesRemoved: [], networkRemoved: false, warnings: [...plan.warnings] };
    try {
      for (const step of plan.steps) {
        switch (step.action) {
          case 'remove':
            if (step.stopGraceSeconds !== null) await docker.stopContainer(step.container, step.stopGraceSeconds);
            await docker.removeContainer(step.container);
            result.removed.push(step.container);
            events.emit({ step: 'reset', status: 'progress', data: { container: step.container, removed: true } });
            break;
          case 'clear-state':
            await project.clearDeploymentState();
            events.emit({ step: 'reset', status: 'progress', data: { stateCleared: true } });
            break;
          case 'remove-network':
            try {
              await docker.removeNetwork(step.network);
              result.networkRemoved = true;
              events.emit({ step: 'reset', status: 'progress', data: { network: step.network, removed: true } });
            } catch (err) {
              // Like `network prune`: a network something else still uses is left alone.
              result.warnings.push(`Network ${step.network} was kept: ${(err as Error).message}`);
            }
            break;
          case 'remove-volumes':
            await docker.removeVolumes(step.volumes);
            result.volumesRemoved.push(...step.volumes);
            events.emit({ step: 'reset', status: 'progress', data: { volumes: step.volumes, removed: true } });
            break;
          default:
            // A reset step without a case above does not compile; deploy steps cannot reach here.
            step satisfies never;
        }
      }
    } catch (err) {
      events.emit({ step: 'reset', status: 'failed', data: { code: (err as { code?: unknown }).code ?? null, message: (err as Error).message } });
      throw err;
    }
    events.emit({ step: 'reset', status: 'succeeded', data: { removed: result.removed, volumesRemoved: result.volumesRemoved, networkRemoved: result.networkRemoved } });
    return result;
  });
}
