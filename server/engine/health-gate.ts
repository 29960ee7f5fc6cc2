import type { HealthFailureCode } from './engine-error';
import type { Clock, ContainerDetails, DockerPort, EventSink } from './ports';

export interface HealthFailure {
  code: HealthFailureCode;
  container: string;
  message: string;
}

export interface HealthGateOptions {
  /** Absolute deadline (epoch ms) shared by every wave of one deploy. */
  deadline: number;
  pollMs: number;
  signal?: AbortSignal;
  /** Restart counts at start; a higher count later means the container crashed and came back. */
  baselineRestarts?: Record<string, number>;
}

function failureOf(name: string, details: ContainerDetails | null, baseline: number): HealthFailure | null {
  if (!details) return { code: 'CONTAINER_MISSING', container: name, message: `${name} disappeared during the health check` };
  if (details.restarting || details.restartCount > baseline) {
    return { code: 'CONTAINER_RESTARTED', container: name, message: `${name} restarted (restart count ${details.restartCount})` };
  }
  if (!details.running) {
    const code = details.exitCode === null ? '' : ` with code ${details.exitCode}`;
    return { code: 'CONTAINER_EXITED', container: name, message: `${name} exited${code}` };
  }
  // Docker only reports unhealthy after `retries` failed checks past the start period, the same
  // moment compose's depends_on gives up: waiting longer would only keep a broken colour around.
  if (details.health === 'unhealthy') {
    return { code: 'CONTAINER_UNHEALTHY', container: name, message: `${name} is unhealthy` };
  }
  return null;
}

/**
 * Waits for all `names` together (the CLI waited one container at a time, up to 300 s each) and
 * returns the first failure instead of waiting out the timeout when a container exits or restarts.
 */
export async function waitHealthy(
  docker: DockerPort,
  clock: Clock,
  events: EventSink,
  names: string[],
  options: HealthGateOptions,
): Promise<HealthFailure | null> {
  const pending = new Set(names);
  for (;;) {
    const checks = await Promise.all(
      [...pending].map(async (name) => ({ name, details: await docker.inspectContainer(name) })),
    );
    for (const { name, details } of checks) {
      const failure = failureOf(name, details, options.baselineRestarts?.[name] ?? 0);
      if (failure) return failure;
      if (details?.health === 'healthy') {
        pending.delete(name);
        events.emit({ step: 'health', status: 'progress', data: { container: name, health: 'healthy' } });
      }
    }
    if (pending.size === 0) return null;
    const now = clock.now().getTime();
    if (now >= options.deadline) {
      const first = [...pending][0] as string;
      return {
        code: 'HEALTH_CHECK_TIMEOUT',
        container: first,
        message: `${[...pending].join(', ')} did not become healthy in time`,
      };
    }
    await clock.sleep(Math.min(options.pollMs, options.deadline - now), options.signal);
  }
}
