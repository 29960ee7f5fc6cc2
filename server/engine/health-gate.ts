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
  /** How long `unhealthy` must last before it counts as a failure (see EngineSettings). */
  unhealthyGraceMs: number;
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
  return null;
}

const unhealthy = (name: string): HealthFailure => ({ code: 'CONTAINER_UNHEALTHY', container: name, message: `${name} is unhealthy` });

/**
 * Waits for all `names` together (the CLI waited one container at a time, up to 300 s each) and
 * returns the first failure instead of waiting out the timeout when a container exits or restarts,
 * or stays unhealthy for longer than the grace (compose's depends_on gives up at the first
 * unhealthy report; one missed probe on a busy host is not worth a failed upgrade).
 */
export async function waitHealthy(
  docker: DockerPort,
  clock: Clock,
  events: EventSink,
  names: string[],
  options: HealthGateOptions,
): Promise<HealthFailure | null> {
  const pending = new Set(names);
  const unhealthySince = new Map<string, number>();
  // The wait is said when it starts (with how long it may take) and when it ends, so a timeline
  // shows what a quiet half minute is waiting for. The deadline is shared by the waves of one
  // deploy: a later wave may wait only what is left of it.
  const began = clock.now().getTime();
  const afterSeconds = () => Math.round((clock.now().getTime() - began) / 100) / 10;
  const timeoutSeconds = Math.max(0, Math.ceil((options.deadline - began) / 1000));
  events.emit({ step: 'health', status: 'progress', data: { containers: names, waiting: true, timeoutSeconds } });
  const ended = (failure: HealthFailure | null): HealthFailure | null => {
    events.emit({
      step: 'health',
      status: 'progress',
      data: { containers: names, waiting: false, outcome: failure ? 'failed' : 'healthy', afterSeconds: afterSeconds(), timeoutSeconds, ...(failure ? { reason: failure.message } : {}) },
    });
    return failure;
  };
  for (;;) {
    const now = clock.now().getTime();
    const checks = await Promise.all(
      [...pending].map(async (name) => ({ name, details: await docker.inspectContainer(name) })),
    );
    for (const { name, details } of checks) {
      const failure = failureOf(name, details, options.baselineRestarts?.[name] ?? 0);
      if (failure) return ended(failure);
      if (details?.health === 'unhealthy') {
        const since = unhealthySince.get(name) ?? now;
        if (now - since >= options.unhealthyGraceMs) return ended(unhealthy(name));
        unhealthySince.set(name, since);
      } else unhealthySince.delete(name);
      if (details?.health === 'healthy') {
        pending.delete(name);
        events.emit({ step: 'health', status: 'progress', data: { container: name, health: 'healthy', afterSeconds: afterSeconds() } });
      }
    }
    if (pending.size === 0) return ended(null);
    if (now >= options.deadline) {
      const still = [...unhealthySince.keys()][0];
      if (still) return ended(unhealthy(still));
      const first = [...pending][0] as string;
      return ended({
        code: 'HEALTH_CHECK_TIMEOUT',
        container: first,
        message: `${[...pending].join(', ')} did not become healthy within ${Math.round((options.deadline - began) / 1000)} s`,
      });
    }
    await clock.sleep(Math.min(options.pollMs, options.deadline - now), options.signal);
  }
}
