import { EngineError, HealthGateError } from './engine-error';
import { waitHealthy } from './health-gate';
import type { DeployPlan, DeployStep } from './plan-types';
import type { EnginePorts, LogLine, StepName } from './ports';

export interface ExecuteOptions {
  signal?: AbortSignal;
  /**
   * Image digests (`sha256:…`) the background pre-pull fetched, with when it finished: a pull step
   * that finds its image already here says so with that time.
   */
  prePulled?: ReadonlyMap<string, string>;
}

export interface ExecuteResult {
  color: DeployPlan['targetColor'];
  version: string;
  previousVersion: string | null;
  warnings: string[];
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new EngineError('CANCELLED', 'The operation was cancelled');
}

function isAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  return Boolean(signal?.aborted) || (err instanceof Error && err.name === 'AbortError');
}

/** Consecutive steps with the same group run together; others one by one. */
function batches(steps: DeployStep[]): DeployStep[][] {
  const out: DeployStep[][] = [];
  for (const step of steps) {
    const last = out[out.length - 1];
    if (last && step.group !== undefined && last[0]?.group === step.group) last.push(step);
    else out.push([step]);
  }
  return out;
}

/**
 * Runs a plan from `planDeploy`/`planRollback`. Until the state file names the target colour the
 * live colour is never touched, and any failure or cancellation removes the target colour at
 * once. Stateful containers are never removed on failure (the CLI's interrupt handler did).
 */
export async function executePlan(ports: EnginePorts, plan: DeployPlan, options: ExecuteOptions = {}): Promise<ExecuteResult> {
  const { docker, clock, events } = ports;
  const { signal } = options;
  const warnings = [...plan.warnings];
  const deadlineOf = () => clock.now().getTime() + plan.settings.healthCheckTimeoutSeconds * 1000;
  let healthDeadline: number | null = null;
  let phase: StepName | null = null;
  let switched = false;
  let previousVersion: string | null = null;
  const baselineRestarts: Record<string, number> = {};

  const enter = (next: StepName) => {
    if (phase === next) return;
    if (phase) events.emit({ step: phase, status: 'succeeded' });
    phase = next;
    events.emit({ step: next, status: 'started' });
  };

  const removeTarget = async () => {
    for (const name of plan.targetContainers) {
      try {
        await docker.removeContainer(name);
      } catch (err) {
        warnings.push(`Could not remove ${name}: ${(err as Error).message}`);
      }
    }
  };

  const runStep = async (step: DeployStep): Promise<void> => {
    switch (step.action) {
      case 'pull': {
        // A pull by digest of an image already here fetches nothing but still asks the registry for
        // every manifest: skipped, so an upgrade the pre-pull prepared only starts containers.
        if (await docker.imagePresent(step.image)) {
          const prePulledAt = options.prePulled?.get(step.image.slice(step.image.indexOf('@') + 1));
          events.emit({ step: 'pull', status: 'progress', data: { image: step.image, status: 'present', ...(prePulledAt ? { prePulledAt } : {}) } });
          return;
        }
        events.emit({ step: 'pull', status: 'progress', data: { image: step.image, status: 'pulling' } });
        await docker.pullImage(
          step.image,
          (p) => events.emit({ step: 'pull', status: 'progress', data: { ...p } }),
          signal,
        );
        events.emit({ step: 'pull', status: 'progress', data: { image: step.image, status: 'pulled' } });
        return;
      }
      case 'ensure-volumes': {
        const volumes = step.volumes.map((name) => ({ name, labels: { project: plan.projectId } }));
        await docker.ensureVolumes(volumes);
        return;
      }
      case 'ensure-network':
        await docker.ensureNetwork({ name: step.network, driver: 'bridge', labels: { project: plan.projectId } });
        return;
      case 'remove':
        if (step.stopGraceSeconds !== null) await docker.stopContainer(step.container, step.stopGraceSeconds);
        await docker.removeContainer(step.container);
        events.emit({ step: step.phase, status: 'progress', data: { container: step.container, removed: true, reason: step.reason } });
        return;
      case 'create': {
        const spec = plan.specs[step.container];
        if (!spec) throw new Error(`No spec for ${step.container}`);
        await docker.createContainer(spec);
        events.emit({ step: step.phase, status: 'progress', data: { container: step.container, created: true, aliases: step.aliases } });
        return;
      }
      case 'start':
        await docker.startContainer(step.container);
        baselineRestarts[step.container] = (await docker.inspectContainer(step.container))?.restartCount ?? 0;
        events.emit({ step: step.phase, status: 'progress', data: { container: step.container, started: true } });
        return;
      case 'stop':
        await docker.stopContainer(step.container, step.graceSeconds);
        events.emit({ step: step.phase, status: 'progress', data: { container: step.container, stopped: true } });
        return;
      case 'wait-healthy': {
        // One deadline for the whole gate, not one per container as the CLI had.
        healthDeadline ??= deadlineOf();
        const failure = await waitHealthy(docker, clock, events, step.containers, {
          deadline: healthDeadline,
          pollMs: plan.settings.healthPollMs,
          unhealthyGraceMs: plan.settings.unhealthyGraceMs,
          signal,
          baselineRestarts,
        });
        if (failure) {
          let logs: LogLine[] = [];
          try {
            logs = await docker.containerLogs(failure.container, plan.settings.failureLogLines);
          } catch (err) {
            warnings.push(`Could not read the logs of ${failure.container}: ${(err as Error).message}`);
          }
          throw new HealthGateError(failure.code, failure.message, failure.container, logs);
        }
        return;
      }
      case 'switch':
        // THE SWITCH. Measured on this engine (docs/architecture.md#the-blue-green-switch-and-why): a name the proxy routes to
        // must never point at a container that has not passed the gate, because Caddy's active
        // health check on the single upstream `platform:3000` lets one broken container take the
        // whole site down, and DNS alone does not move a keep-alive pool anyway. Docker 20.10
        // cannot add an alias to a live endpoint, so the healthy candidate is disconnected and
        // reconnected with the shared alias (it served nothing under that name, so nothing is
        // lost; its own outbound connections re-dial). The proxy keeps its pooled connections to
        // the old colour until the retire step's graceful stop closes them (SIGTERM, in-flight
        // requests answered with `Connection: close`); Caddy then re-dials `platform`, which by
        // then resolves only to the new colour. That stop is the observable moment traffic moves.
        await docker.disconnectNetwork(step.network, step.container);
        await docker.connectNetwork(step.network, step.container, step.aliases);
        {
          const after = await docker.inspectContainer(step.container);
          const aliases = after?.networks[step.network]?.aliases ?? [];
          if (!after?.running || !step.aliases.every((a) => aliases.includes(a))) {
            throw new EngineError('SWITCH_FAILED', `${step.container} did not come back on ${step.network} with ${step.aliases.join(', ')}`);
          }
        }
        events.emit({ step: 'switch', status: 'progress', data: { container: step.container, aliases: step.aliases } });
        return;
      case 'write-state':
        await ports.project.writeDeploymentColor(step.color);
        // Only now, after a successful switch: a failed deploy must leave rollback pointing where it did.
        if (step.previousVersion !== null) {
          await ports.project.writePreviousVersion(step.previousVersion);
          previousVersion = step.previousVersion;
        }
        switched = true;
        events.emit({ step: 'switch', status: 'progress', data: { color: step.color, previousVersion: step.previousVersion } });
        return;
      case 'retire':
        try {
          // The grace period is the drain: the old colour finishes in-flight requests, closes its
          // keep-alive connections, and only a container ignoring SIGTERM is killed at the end.
          await docker.stopContainer(step.container, step.graceSeconds);
          await docker.removeContainer(step.container);
          events.emit({ step: 'retire', status: 'progress', data: { container: step.container, retired: true } });
        } catch (err) {
          // The target is live and recorded; a stuck old container is reported, not a failed deploy.
          const message = `Could not retire ${step.container}: ${(err as Error).message}`;
          warnings.push(message);
          events.emit({ step: 'retire', status: 'warning', data: { container: step.container, message } });
        }
        return;
      case 'rename':
        try {
          await docker.renameContainer(step.container, step.to);
          events.emit({ step: step.phase, status: 'progress', data: { container: step.container, renamed: step.to } });
        } catch (err) {
          // The replacement is live and serving under the shared aliases; only its name is off.
          const message = `Could not rename ${step.container} to ${step.to}: ${(err as Error).message}`;
          warnings.push(message);
          events.emit({ step: step.phase, status: 'warning', data: { container: step.container, message } });
        }
        return;
      case 'stop-database':
        try {
          // Planned after the retire: the old colour, which still used the bundled db, is gone.
          await docker.stopContainer(step.container, step.graceSeconds);
          events.emit({ step: step.phase, status: 'progress', data: { container: step.container, stopped: true, volumeKept: step.volume } });
        } catch (err) {
          // The new colour is live on the external database; a db that would not stop is reported.
          const message = `Could not stop ${step.container}: ${(err as Error).message}`;
          warnings.push(message);
          events.emit({ step: step.phase, status: 'warning', data: { container: step.container, message } });
        }
        return;
      default:
        // A deploy step without a case above does not compile; reset's steps cannot reach here.
        return step satisfies never;
    }
  };

  try {
    for (const batch of batches(plan.steps)) {
      if (!switched) checkAborted(signal);
      const first = batch[0] as DeployStep;
      enter(first.phase);
      await Promise.all(batch.map((step) => runStep(step)));
    }
  } catch (err) {
    const failedPhase = phase;
    let targetRemoved = false;
    if (!switched) {
      // The target colour may already sit on the network; it goes now, not at the next deploy.
      const started = await Promise.all(plan.targetContainers.map((n) => docker.inspectContainer(n)));
      if (started.some((c) => c !== null)) {
        await removeTarget();
        targetRemoved = true;
      }
    }
    const cancelled = isAbort(err, signal) && !(err instanceof HealthGateError);
    const error = cancelled && !(err instanceof EngineError) ? new EngineError('CANCELLED', 'The operation was cancelled', { cause: err }) : err;
    events.emit({
      step: failedPhase ?? 'plan',
      status: 'failed',
      data: {
        code: (error as { code?: string }).code ?? null,
        message: (error as Error).message,
        ...(error instanceof HealthGateError ? { container: error.container, logs: error.logs } : {}),
        targetRemoved,
      },
    });
    throw error;
  }
  if (phase) events.emit({ step: phase, status: 'succeeded' });
  return { color: plan.targetColor, version: plan.version, previousVersion, warnings };
}
